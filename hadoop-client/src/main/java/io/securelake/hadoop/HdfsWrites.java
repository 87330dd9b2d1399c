package io.securelake.hadoop;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Writes to HDFS that must be durable before their writer goes on (commit manifests, quarantine entries, audit appends). */
public final class HdfsWrites {
    private HdfsWrites() {
    }

    /** Creates (or replaces) {@code path} with {@code bytes}, hsyncs and closes it, as {@link #writeSyncClose}. */
    public static void write(FileSystem fs, Path path, byte[] bytes) throws IOException {
        writeSyncClose(fs.create(path, true), bytes);
    }

    /**
     * Writes {@code bytes} to a stream just created or opened for append, hsyncs and closes it; any failure is the
     * IOException the file system gave. Not try-with-resources: an HDFS output stream that failed (the NameNode went
     * down during hsync) throws the very same IOException again from close(), try-with-resources then calls
     * {@code e.addSuppressed(e)}, and that throws IllegalArgumentException ("Self-suppression not permitted"), an
     * unchecked exception that escapes a writer's I/O handling instead of starting its recovery from an outage.
     */
    public static void writeSyncClose(FSDataOutputStream out, byte[] bytes) throws IOException {
        try {
            out.write(bytes);
            out.hsync();
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException | RuntimeException closeFailed) {
                if (closeFailed != e) {
                    e.addSuppressed(closeFailed);
                }
            }
            throw e;
        }
        out.close();
    }
}
