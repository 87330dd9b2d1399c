package io.securelake.policies.api;

import java.util.Optional;

/**
 * Column masking decided by the engine: {@code maskType} is a mask type of the hive service definition
 * (e.g. {@code MASK_SHOW_LAST_4}); empty when the column is shown as is. {@code expression} is the
 * query-engine expression for the mask, with {@code {col}} for the column.
 */
public record MaskDecision(Optional<String> maskType, Optional<String> expression, Optional<String> policy) {
    public static MaskDecision none() {
        return new MaskDecision(Optional.empty(), Optional.empty(), Optional.empty());
    }
}
