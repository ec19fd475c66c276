-- Group profiles (PostHog $groupidentify, Mixpanel /groups): one row per group and property.
-- Groups are minimal: properties only, no group analytics yet.
CREATE TABLE group_properties (
    project_key INTEGER NOT NULL,
    group_type VARCHAR NOT NULL,
    group_key VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    value JSON NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (project_key, group_type, group_key, key)
);
