"""The Microsoft Teams edge: botbuilder adapter, the bot, Adaptive Cards, identity and proactive sends."""
