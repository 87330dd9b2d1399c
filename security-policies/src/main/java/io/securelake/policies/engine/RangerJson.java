package io.securelake.policies.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Jackson mapping of Ranger's model classes (they carry Jackson annotations). Writes only non-empty
 * fields, pretty-printed with sorted map keys, so committed policy files diff cleanly in a pull request.
 */
public final class RangerJson {
    /** Configured once, never changed afterwards; ObjectMapper is thread-safe in that state. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .serializationInclusion(JsonInclude.Include.NON_EMPTY)
            .build();

    private RangerJson() {
    }
}
