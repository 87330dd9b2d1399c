package io.securelake.encryption;

import java.util.List;
import java.util.Optional;

/**
 * SPI to where wrapped DEKs live, shared by all writers and readers of an environment. It holds no clear
 * key material. Implementations must be safe for concurrent use by several processes.
 *
 * <p>Entries change only by {@link #compareAndSet}: a change is made against the revision the changer read, so
 * two changes never silently overwrite one another, and a destroyed entry is final: no re-wrap, late writer or
 * restore brings its material back.
 */
public interface DekRepository extends AutoCloseable {

    Optional<StoredDek> find(String kekName, DekId id);

    /** Stores a new DEK (revision 1), durably before returning; throws IllegalStateException if the id is taken. */
    void insert(StoredDek dek);

    Optional<StoredDek> findShared(String kekName, String sharedName);

    /**
     * {@link #findShared} as far as this process already knows: it may miss a shared DEK another process made a
     * moment ago, so it is only for lookups whose miss is settled by {@link #insertShared} (which returns the shared DEK
     * that won). A new data subject then costs no round trip to a remote registry before its key is made.
     */
    default Optional<StoredDek> findSharedIfKnown(String kekName, String sharedName) {
        return findShared(kekName, sharedName);
    }

    /**
     * Makes {@code dek} the shared DEK named {@code dek.sharedName()} unless one exists already (another
     * writer won the race, or it was destroyed); returns the one that is now registered. Durable before returning.
     */
    StoredDek insertShared(StoredDek dek);

    /**
     * {@link #insertShared} without holding the calling thread while the write travels: the future completes with the
     * registered shared DEK once the write is durable and decided, or fails as {@code insertShared} would throw. Lets a
     * writer keep many new subjects' keys in flight at once. Repositories whose writes are local do it at once.
     */
    default java.util.concurrent.CompletableFuture<StoredDek> insertSharedAsync(StoredDek dek) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(insertShared(dek));
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Replaces {@code expected} by {@code replacement} if the stored entry is still {@code expected}'s revision and
     * not destroyed. {@code replacement} must be the same DEK at the next revision. Returns false, changing nothing,
     * when another change came first; the caller reads again and decides anew. Older revisions' key material is
     * removed once the replacement is stored.
     */
    boolean compareAndSet(StoredDek expected, StoredDek replacement);

    List<StoredDek> list(String kekName);

    /**
     * Registers a listener told of every later change of an entry; closing the result unregisters it. A repository
     * that cannot notify returns {@link Subscription#NONE}, and readers then rely on their cache expiry alone.
     */
    default Subscription subscribe(DekChangeListener listener) {
        return Subscription.NONE;
    }

    @Override
    default void close() {
    }

    /** A registration of a {@link DekChangeListener}. */
    interface Subscription extends AutoCloseable {

        /** What a repository without notifications returns. */
        Subscription NONE = new Subscription() {
            @Override
            public boolean pushes() {
                return false;
            }

            @Override
            public void close() {
            }
        };

        /** Whether changes are pushed to the listener at all. */
        default boolean pushes() {
            return true;
        }

        @Override
        void close();
    }

    /** Checks that {@code replacement} is {@code expected}'s next revision of the same DEK; used by implementations. */
    static void requireNextRevision(StoredDek expected, StoredDek replacement) {
        if (!expected.kekName().equals(replacement.kekName()) || !expected.id().equals(replacement.id())) {
            throw new IllegalArgumentException("a compare-and-set replaces a DEK by the same DEK: " + expected.kekName()
                    + "/" + expected.id() + " vs " + replacement.kekName() + "/" + replacement.id());
        }
        if (replacement.revision() != expected.revision() + 1) {
            throw new IllegalArgumentException("DEK " + expected.id() + ": revision " + replacement.revision()
                    + " does not follow " + expected.revision());
        }
        if (expected.scope() != replacement.scope() || !java.util.Objects.equals(expected.sharedName(), replacement.sharedName())
                || expected.originKekVersion() != replacement.originKekVersion()
                || !expected.createdAt().equals(replacement.createdAt())) {
            throw new IllegalArgumentException("DEK " + expected.id() + ": only its wrapping or destruction may change");
        }
    }
}
