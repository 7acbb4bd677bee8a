"""The guided conversation for families: reading the answers (answers.py), recognising a request to
plan a talk (entry.py) and the plan that comes back (plan.py), with texts in content/family/."""
