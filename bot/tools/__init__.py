"""Commands run by make (start the stack, validate, evaluate, benchmark, build the spaCy pipeline).
The processes never import from here."""
