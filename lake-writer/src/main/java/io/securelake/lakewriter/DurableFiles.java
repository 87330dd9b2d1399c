package io.securelake.lakewriter;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Small files the writer must have on disk before it goes on: commit manifests and quarantine entries. */
final class DurableFiles {
    private DurableFiles() {
    }

    /**
     * Creates (or replaces) {@code path} with {@code bytes}, hsyncs and closes it; any failure is the IOException the
     * file system gave. Not try-with-resources: an HDFS output stream that failed (the NameNode went down during
     * hsync) throws the very same IOException again from close(), try-with-resources then calls
     * {@code e.addSuppressed(e)}, and that throws IllegalArgumentException ("Self-suppression not permitted"). The
     * unchecked exception escaped the writer's I/O handling and ended it (STOPPED) instead of starting its recovery
     * from an HDFS outage.
     */
    static void write(FileSystem fs, Path path, byte[] bytes) throws IOException {
        FSDataOutputStream out = fs.create(path, true);
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
