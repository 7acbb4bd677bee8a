"""Code that runs inside the Rasa server (`rasa run`): NLU components and the crisis policy
(config.yml), the REST and SMS channels (credentials.yml) and the tracker store (endpoints.yml)."""
