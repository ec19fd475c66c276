-- Typed first-touch (acquisition) columns of person_summary, from the earliest event's properties
-- (store/FirstTouch defines each), so LTV by utm_source, campaign, referring domain or channel is
-- a scan of the summary instead of a JSON parse per person. Maintained with the rest of the row
-- (store/PersonSummaryWriter). Rows written before this migration have first_click_id NULL (a
-- written row never has): the first start fills them from first_properties
-- (PersonSummaryWriter.fillFirstTouch, called where missing summaries are built).
ALTER TABLE person_summary ADD COLUMN first_utm_source VARCHAR;
ALTER TABLE person_summary ADD COLUMN first_utm_medium VARCHAR;
ALTER TABLE person_summary ADD COLUMN first_utm_campaign VARCHAR;
ALTER TABLE person_summary ADD COLUMN first_referrer VARCHAR;
ALTER TABLE person_summary ADD COLUMN first_click_id BOOLEAN;
ALTER TABLE person_summary ADD COLUMN first_landing_page VARCHAR;
-- The UTC months (months since 1970-01: (year - 1970) * 12 + month - 1) in which the person has
-- events, sorted: "active people per month" from the summary instead of grouping every event by
-- person (report/revenue/RevenueSql). Rows written before this migration have it NULL (a written
-- row never has): the first start fills them from events_compacted (PersonSummaryWriter.fillActiveMonths).
ALTER TABLE person_summary ADD COLUMN active_months INTEGER[];
