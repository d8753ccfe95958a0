"""Writing plans, by topic: a plan loaded from one flat file (`imports`, its own fields
in `header`), partners' entries in an inter-agency plan (`entries`) and their review
(`review`), and publishing (`publication`)."""
