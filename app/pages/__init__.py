"""Pages of the app, one module each: widgets and layout only, calling layers/ and mapping/."""
