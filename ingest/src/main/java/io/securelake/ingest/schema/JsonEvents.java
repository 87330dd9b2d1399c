package io.securelake.ingest.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * Validates a JSON event against an Avro schema while converting it to a {@link GenericData.Record}:
 * required fields present, no unknown fields (they could hold unclassified personal data), types, enum
 * symbols, decimal scale and precision, timestamps as epoch milliseconds or ISO-8601. Missing optional
 * fields take their defaults. Messages never contain values.
 */
public final class JsonEvents {

    private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();

    private JsonEvents() {
    }

    public static GenericData.Record toRecord(ObjectNode json, Schema schema) {
        return record(json, schema, "");
    }

    private static GenericData.Record record(JsonNode node, Schema schema, String path) {
        if (!node.isObject()) {
            throw new EventValidationException(path, "expected an object, found " + node.getNodeType());
        }
        GenericData.Record record = new GenericData.Record(schema);
        int present = 0;
        for (Schema.Field f : schema.getFields()) {
            JsonNode value = node.get(f.name());
            if (value == null) {
                if (!f.hasDefaultValue()) {
                    throw new EventValidationException(join(path, f.name()), "required field is missing");
                }
                record.put(f.pos(), GenericData.get().deepCopy(f.schema(), GenericData.get().getDefaultValue(f)));
            } else {
                present++;
                record.put(f.pos(), value(value, f.schema(), path, f.name()));
            }
        }
        // Every JSON field that matched a schema field was counted: any other one is unknown.
        if (node.size() != present) {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (schema.getField(name) == null) {
                    throw new EventValidationException(join(path, name),
                            "unknown field (not in schema " + schema.getFullName() + ")");
                }
            }
        }
        return record;
    }

    /** A field's path, built only when needed (errors, nested records): most events need none. */
    private static String join(String parent, String name) {
        return name == null ? parent : parent.isEmpty() ? name : parent + "." + name;
    }

    private static Object value(JsonNode node, Schema schema, String parent, String name) {
        LogicalType logical = schema.getLogicalType();
        switch (schema.getType()) {
            case NULL:
                if (!node.isNull()) {
                    throw new EventValidationException(join(parent, name), "expected null, found " + node.getNodeType());
                }
                return null;
            case STRING:
                if (!node.isTextual()) {
                    throw new EventValidationException(join(parent, name), "expected a string, found " + node.getNodeType());
                }
                return node.textValue();
            case BOOLEAN:
                if (!node.isBoolean()) {
                    throw new EventValidationException(join(parent, name), "expected a boolean, found " + node.getNodeType());
                }
                return node.booleanValue();
            case INT:
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw new EventValidationException(join(parent, name), "expected a 32-bit integer, found " + describe(node));
                }
                return node.intValue();
            case LONG:
                if (logical instanceof LogicalTypes.TimestampMillis && node.isTextual()) {
                    try {
                        return Instant.parse(node.textValue()).toEpochMilli();
                    } catch (DateTimeParseException e) {
                        throw new EventValidationException(join(parent, name), "expected epoch milliseconds or an ISO-8601 instant "
                                + "(e.g. 2026-11-25T10:15:30Z)");
                    }
                }
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw new EventValidationException(join(parent, name), "expected a 64-bit integer, found " + describe(node));
                }
                return node.longValue();
            case FLOAT:
            case DOUBLE:
                if (!node.isNumber()) {
                    throw new EventValidationException(join(parent, name), "expected a number, found " + node.getNodeType());
                }
                return schema.getType() == Schema.Type.FLOAT ? (Object) node.floatValue() : (Object) node.doubleValue();
            case BYTES:
                if (logical instanceof LogicalTypes.Decimal decimal) {
                    return decimal(node, schema, decimal, join(parent, name));
                }
                throw new EventValidationException(join(parent, name), "bytes fields without a decimal logical type are not accepted from JSON");
            case ENUM:
                if (!node.isTextual() || !schema.hasEnumSymbol(node.textValue())) {
                    throw new EventValidationException(join(parent, name), "expected one of " + schema.getEnumSymbols());
                }
                return new GenericData.EnumSymbol(schema, node.textValue());
            case RECORD:
                return record(node, schema, join(parent, name));
            case ARRAY: {
                if (!node.isArray()) {
                    throw new EventValidationException(join(parent, name), "expected an array, found " + node.getNodeType());
                }
                List<Object> items = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    items.add(value(node.get(i), schema.getElementType(), join(parent, name) + "[" + i + "]", null));
                }
                return new GenericData.Array<>(schema, items);
            }
            case MAP: {
                if (!node.isObject()) {
                    throw new EventValidationException(join(parent, name), "expected an object (map), found " + node.getNodeType());
                }
                Map<String, Object> map = new HashMap<>();
                String mapPath = join(parent, name);
                node.fields().forEachRemaining(e -> map.put(e.getKey(), value(e.getValue(), schema.getValueType(),
                        mapPath, e.getKey())));
                return map;
            }
            case UNION:
                return union(node, schema, parent, name);
            default:
                throw new EventValidationException(join(parent, name), "type " + schema.getType() + " is not accepted from JSON");
        }
    }

    private static Object union(JsonNode node, Schema union, String parent, String name) {
        if (node.isNull()) {
            for (Schema branch : union.getTypes()) {
                if (branch.getType() == Schema.Type.NULL) {
                    return null;
                }
            }
            throw new EventValidationException(join(parent, name), "must not be null");
        }
        EventValidationException last = null;
        for (Schema branch : union.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            try {
                return value(node, branch, parent, name);
            } catch (EventValidationException e) {
                last = e;
            }
        }
        throw last != null ? last : new EventValidationException(join(parent, name), "matches no branch of " + union);
    }

    private static ByteBuffer decimal(JsonNode node, Schema schema, LogicalTypes.Decimal decimal, String path) {
        BigDecimal value;
        if (node.isNumber()) {
            value = node.decimalValue();
        } else if (node.isTextual()) {
            try {
                value = new BigDecimal(node.textValue());
            } catch (NumberFormatException e) {
                throw new EventValidationException(path, "expected a decimal number");
            }
        } else {
            throw new EventValidationException(path, "expected a decimal number, found " + node.getNodeType());
        }
        if (value.scale() > decimal.getScale()) {
            BigDecimal stripped = value.stripTrailingZeros();
            if (stripped.scale() > decimal.getScale()) {
                throw new EventValidationException(path, "has more than " + decimal.getScale() + " decimal places");
            }
            value = stripped;
        }
        value = value.setScale(decimal.getScale());
        if (value.precision() > decimal.getPrecision()) {
            throw new EventValidationException(path, "exceeds " + decimal.getPrecision() + " significant digits");
        }
        return DECIMALS.toBytes(value, schema, decimal);
    }

    private static String describe(JsonNode node) {
        if (node.isNumber()) {
            return node.isIntegralNumber() ? "an integer out of range" : "a fractional number";
        }
        return node.getNodeType().toString();
    }
}
