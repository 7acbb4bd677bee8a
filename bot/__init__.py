"""The IOP admissions assistant.

Three processes, one folder each: `rasa_server` (plugins that `rasa run` loads by name from
config.yml, credentials.yml and endpoints.yml), `action_server` (what the rasa-sdk actions in
actions/ use beyond the shared cores) and `website` (demo page, chat widget, staff console,
staff notifications). Shared cores sit directly in `bot/`; `store` is our database; `tools` are
commands run by make, never imported by the processes.
"""
