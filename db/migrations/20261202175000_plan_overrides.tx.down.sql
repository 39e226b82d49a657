DROP TABLE plan_overrides;
