"""Code used only by the action server (`rasa run actions --actions actions`); the rasa-sdk glue
itself lives in the top-level actions/ package."""
