"""The website process (`python -m bot.website.app`): the demo page with the chat widget, the staff
console and the delivery of staff notifications from the outbox."""
