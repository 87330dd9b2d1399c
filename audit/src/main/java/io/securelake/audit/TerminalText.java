package io.securelake.audit;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Text from the trail made safe for an auditor's terminal. Fields such as a failed login's user name are
 * chosen by whoever sent the request: a line break would forge a row of the table, an ESC sequence would
 * recolour or rewrite the screen, U+2028/2029 break lines in some viewers and bidirectional overrides
 * reorder what is shown. Each such character is shown as a visible escape instead.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** Whether {@code c} must not reach a terminal as is: C0 and C1 controls, DEL, line/paragraph separators, bidi controls. */
    static boolean unsafe(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }

    /**
     * {@code \n}, {@code \r}, {@code \t} and {@code \\} as in Java; other unsafe characters up to U+00FF as
     * {@code \xHH}, beyond as {@code \\uHHHH}. A backslash is doubled, so an escape cannot be forged either.
     */
    public static String escape(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = c == '\\' ? "\\\\" : !unsafe(c) ? null : switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> c <= 0xFF ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
            };
            if (esc != null && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (esc != null) {
                    sb.append(esc);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    /**
     * Jackson escapes for JSON meant for a terminal: its standard escaping covers only C0 controls, so DEL,
     * C1 controls (U+009B is an 8-bit CSI), U+2028/2029 and bidi controls are written as {@code \\uHHHH} too.
     */
    static final CharacterEscapes JSON_ESCAPES = new CharacterEscapes() {
        private final int[] ascii;

        {
            ascii = standardAsciiEscapesForJSON();
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return unsafe(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    };
}
