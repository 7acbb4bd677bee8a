"""Custom Rasa dialogue policies.

Every process that runs our model loads them (rasa run, rasa test, the evaluation tools), so this is
where the project's one patch to Rasa (bot/rasa_server/patches.py) is installed.
"""
from bot.rasa_server import patches

patches.apply()
