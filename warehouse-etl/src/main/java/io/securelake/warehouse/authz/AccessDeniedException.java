package io.securelake.warehouse.authz;

/**
 * A statement refused by the securelake authorization extension. The message names the user, the
 * access and the resource refused, never the policies that would have allowed something else.
 */
public final class AccessDeniedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AccessDeniedException(String message) {
        super(message);
    }

    static AccessDeniedException of(String user, String access, HiveResource resource) {
        return new AccessDeniedException("Permission denied: user [" + user + "] does not have ["
                + HiveAccess.display(access) + "] privilege on [" + resource.display() + "]");
    }

    static AccessDeniedException statement(String user, String what) {
        return new AccessDeniedException("Permission denied: user [" + user + "] may not " + what);
    }
}
