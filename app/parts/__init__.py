"""Parts shared by the pages: forms, panels, the dashboard and route planner, and ui helpers
(engine, current user, tables, maps)."""
