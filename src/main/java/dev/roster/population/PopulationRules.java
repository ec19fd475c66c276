package dev.roster.population;

/**
 * The rules of SPEC §6.6 on a parsed definition. A condition is <em>positive</em> when a person
 * with no data at all cannot satisfy it (did E at least once, a property equal to a value, …);
 * a negation (did_not, a count that allows 0, neq, is_not_set, ltv below a positive amount)
 * only narrows a set down. A population must be positive as a whole, and an OR may not contain
 * a negation on its own, since "anyone who did not purchase" would swallow the whole project.
 */
public final class PopulationRules {
    private PopulationRules() {
    }

    /** Throws a 400 naming the offending node when a rule is broken. */
    public static void check(Condition root) {
        checkOrGroups(root, "$");
        if (!isPositive(root)) {
            throw DefinitionParser.error("$", "a population needs at least one positive condition (did, first_did, "
                    + "a before_first sequence, a property eq/contains/starts_with/ends_with/gt/lt/is_set, ltv or identity); "
                    + "did_not, is_not_set, neq, counts that allow 0 and ltv below an amount only narrow a population down");
        }
    }

    private static void checkOrGroups(Condition condition, String path) {
        if (!(condition instanceof Condition.Group group)) {
            return;
        }
        String childrenPath = path + "." + group.key();
        for (int i = 0; i < group.children().size(); i++) {
            Condition child = group.children().get(i);
            String childPath = childrenPath + "[" + i + "]";
            checkOrGroups(child, childPath);
            if (!group.all() && !isPositive(child)) {
                if (child instanceof Condition.Group) {
                    throw DefinitionParser.error(childPath, "this group has no positive condition, so inside \"any\" it "
                            + "would match almost everyone; add a positive condition to it");
                }
                throw DefinitionParser.error(childPath, "a negated condition (" + describe(child) + ") cannot stand alone "
                        + "inside \"any\": it would match everyone without that data; put it in an \"all\" group "
                        + "together with a positive condition");
            }
        }
    }

    /** Whether a person with no events, no properties and no revenue fails this condition. */
    public static boolean isPositive(Condition condition) {
        if (condition instanceof Condition.Group group) {
            return group.all()
                    ? group.children().stream().anyMatch(PopulationRules::isPositive)
                    : group.children().stream().allMatch(PopulationRules::isPositive);
        }
        if (condition instanceof Condition.Did did) {
            return !did.negated() && !did.count().matchesZero();
        }
        if (condition instanceof Condition.PersonProperty property) {
            Condition.FilterOp op = property.filter().op();
            return op != Condition.FilterOp.NEQ && op != Condition.FilterOp.IS_NOT_SET;
        }
        if (condition instanceof Condition.Ltv ltv) {
            return ltv.greater() ? ltv.value() >= 0 : ltv.value() <= 0;
        }
        return true; // sequence (needs the first F), first_did, identity
    }

    private static String describe(Condition condition) {
        if (condition instanceof Condition.Did did) {
            return did.negated() ? "did_not \"" + did.event() + "\"" : "did \"" + did.event() + "\" with a count that allows 0";
        }
        if (condition instanceof Condition.PersonProperty property) {
            return "property \"" + property.filter().property() + "\" " + property.filter().op().jsonName();
        }
        if (condition instanceof Condition.Ltv ltv) {
            return "ltv " + (ltv.greater() ? "gt " : "lt ") + ltv.value();
        }
        return condition.getClass().getSimpleName();
    }
}
