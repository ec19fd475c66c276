package dev.roster.people;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.roster.ingest.PropertyOperation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The properties of one person with the time each was last set, and the semantics of every
 * property operation (SPEC §1). Merging two profiles keeps, per key, the most recently set value.
 *
 * <p>Thread safety: not thread-safe; used by one thread while a commit batch is built.
 */
public final class ProfileState {
    private final Map<String, Value> values = new LinkedHashMap<>();
    private boolean changed;

    /** A stored value and when it was set. */
    public record Value(JsonNode value, Instant updatedAt) {
    }

    public void load(String key, JsonNode value, Instant updatedAt) {
        values.put(key, new Value(value, updatedAt));
    }

    public Map<String, Value> values() {
        return values;
    }

    public boolean changed() {
        return changed;
    }

    public void apply(PropertyOperation operation, Instant at) {
        String key = operation.key();
        JsonNode value = operation.value();
        Value current = values.get(key);
        switch (operation.kind()) {
            case SET -> put(key, value, at);
            case SET_ONCE -> {
                if (current == null) {
                    put(key, value, at);
                }
            }
            case UNSET -> {
                if (values.remove(key) != null) {
                    changed = true;
                }
            }
            case ADD -> {
                if (value.isNumber()) {
                    BigDecimal base = current != null && current.value().isNumber() ? current.value().decimalValue() : BigDecimal.ZERO;
                    put(key, number(base.add(value.decimalValue())), at);
                }
            }
            case APPEND -> {
                ArrayNode list = asList(current);
                list.add(value);
                put(key, list, at);
            }
            case UNION -> {
                ArrayNode list = asList(current);
                for (JsonNode element : elements(value)) {
                    if (!contains(list, element)) {
                        list.add(element);
                    }
                }
                put(key, list, at);
            }
            case REMOVE -> {
                if (current != null) {
                    ArrayNode list = asList(current);
                    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
                    for (JsonNode element : list) {
                        if (!contains(elements(value), element)) {
                            kept.add(element);
                        }
                    }
                    put(key, kept, at);
                }
            }
            default -> throw new IllegalStateException("unknown operation " + operation.kind());
        }
    }

    /** Folds another person's profile into this one: the most recently set value wins per key. */
    public void mergeFrom(ProfileState other) {
        for (Map.Entry<String, Value> entry : other.values.entrySet()) {
            Value mine = values.get(entry.getKey());
            if (mine == null || entry.getValue().updatedAt().isAfter(mine.updatedAt())) {
                values.put(entry.getKey(), entry.getValue());
            }
        }
        changed = true;
    }

    public void clear() {
        values.clear();
        changed = true;
    }

    private void put(String key, JsonNode value, Instant at) {
        values.put(key, new Value(value, at));
        changed = true;
    }

    private static JsonNode number(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() <= 0 && stripped.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0) {
            return LongNode.valueOf(stripped.longValueExact());
        }
        return DecimalNode.valueOf(stripped);
    }

    private static ArrayNode asList(Value current) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        if (current == null || current.value().isNull()) {
            return list;
        }
        if (current.value().isArray()) {
            list.addAll((ArrayNode) current.value());
        } else {
            list.add(current.value());
        }
        return list;
    }

    private static Iterable<JsonNode> elements(JsonNode value) {
        if (value.isArray()) {
            return value;
        }
        return JsonNodeFactory.instance.arrayNode().add(value);
    }

    private static boolean contains(Iterable<JsonNode> list, JsonNode element) {
        for (JsonNode candidate : list) {
            if (candidate.equals(element)) {
                return true;
            }
        }
        return false;
    }
}
