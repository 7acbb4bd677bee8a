"""Input channels: the website REST channel and SMS."""
