package io.securelake.encryption.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.securelake.encryption.MalformedCiphertextException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Plaintext encoding of one JSON value, so its type survives encryption: one type byte, then the value
 * (docs/encryption-format.md, "JSON value encoding"). Numbers keep their exact text and Jackson node type.
 */
final class JsonValueCodec {

    static final byte NULL = 0x00;
    static final byte STRING = 0x01;
    static final byte FALSE = 0x02;
    static final byte TRUE = 0x03;
    static final byte INT = 0x10;
    static final byte LONG = 0x11;
    static final byte BIG_INTEGER = 0x12;
    static final byte FLOAT = 0x13;
    static final byte DOUBLE = 0x14;
    static final byte BIG_DECIMAL = 0x15;
    static final byte JSON = 0x20;

    private final ObjectMapper mapper;

    JsonValueCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    byte[] encode(JsonNode node) {
        switch (node.getNodeType()) {
            case NULL:
            case MISSING:
                return new byte[] {NULL};
            case STRING:
                return tagged(STRING, node.textValue());
            case BOOLEAN:
                return new byte[] {node.booleanValue() ? TRUE : FALSE};
            case NUMBER:
                switch (node.numberType()) {
                    case INT: return tagged(INT, node.asText());
                    case LONG: return tagged(LONG, node.asText());
                    case BIG_INTEGER: return tagged(BIG_INTEGER, node.bigIntegerValue().toString());
                    case FLOAT: return tagged(FLOAT, Float.toString(node.floatValue()));
                    case DOUBLE: return tagged(DOUBLE, Double.toString(node.doubleValue()));
                    default: return tagged(BIG_DECIMAL, node.decimalValue().toString());
                }
            case OBJECT:
            case ARRAY:
                try {
                    return tagged(JSON, mapper.writeValueAsString(node));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("cannot serialise JSON value", e);
                }
            default:
                throw new IllegalArgumentException("unsupported JSON node type " + node.getNodeType());
        }
    }

    JsonNode decode(byte[] plaintext) {
        if (plaintext.length == 0) {
            throw new MalformedCiphertextException("decrypted value has no type byte");
        }
        byte tag = plaintext[0];
        String text = new String(plaintext, 1, plaintext.length - 1, StandardCharsets.UTF_8);
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        try {
            switch (tag) {
                case NULL: return NullNode.instance;
                case STRING: return TextNode.valueOf(text);
                case FALSE: return BooleanNode.FALSE;
                case TRUE: return BooleanNode.TRUE;
                case INT: return nodes.numberNode(Integer.parseInt(text));
                case LONG: return nodes.numberNode(Long.parseLong(text));
                case BIG_INTEGER: return nodes.numberNode(new BigInteger(text));
                case FLOAT: return nodes.numberNode(Float.parseFloat(text));
                case DOUBLE: return nodes.numberNode(Double.parseDouble(text));
                case BIG_DECIMAL: return nodes.numberNode(new BigDecimal(text));
                case JSON: return mapper.readTree(text);
                default:
                    throw new MalformedCiphertextException("decrypted value has unknown JSON type byte " + tag);
            }
        } catch (NumberFormatException | JsonProcessingException e) {
            throw new MalformedCiphertextException("decrypted value does not match its JSON type byte " + tag, e);
        }
    }

    private static byte[] tagged(byte tag, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[1 + utf8.length];
        out[0] = tag;
        System.arraycopy(utf8, 0, out, 1, utf8.length);
        return out;
    }
}
