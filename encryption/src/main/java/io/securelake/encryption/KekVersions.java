package io.securelake.encryption;

/** Parsing of {@code name@N} KEK version names. */
public final class KekVersions {

    private KekVersions() {
    }

    public static int number(String kekVersionName) {
        int at = kekVersionName.lastIndexOf('@');
        if (at < 0) {
            throw new KeyProviderException("KEK version name '" + kekVersionName + "' is not of the form name@N", null);
        }
        try {
            return Integer.parseInt(kekVersionName.substring(at + 1));
        } catch (NumberFormatException e) {
            throw new KeyProviderException("KEK version name '" + kekVersionName + "' is not of the form name@N", e);
        }
    }

    public static String name(String kekName, int version) {
        return kekName + "@" + version;
    }
}
