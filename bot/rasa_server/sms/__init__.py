"""The SMS channel's rules, apart from its transport: keywords, opt-outs, formatting, the turn."""
