"""Pure domain logic: keys, member cards, genesis, config.toml, write plans. Never imports Textual or Rich."""
