package io.securelake.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HdfsWritesTest {

    @TempDir
    java.nio.file.Path dir;

    /** As HDFS's DFSOutputStream once its NameNode is gone: hsync fails, and close() throws the same exception again. */
    static final class FailingStream extends OutputStream implements Syncable {
        final IOException failure = new IOException("Connection refused (the NameNode is down)");

        @Override
        public void write(int b) {
        }

        @Override
        public void hflush() throws IOException {
            throw failure;
        }

        @Override
        public void hsync() throws IOException {
            throw failure;
        }

        @Override
        public void close() throws IOException {
            throw failure;
        }
    }

    @Test
    void aFailedSyncIsTheFileSystemsIOExceptionNotSelfSuppression() throws Exception {
        FailingStream stream = new FailingStream();
        RawLocalFileSystem fs = new RawLocalFileSystem() {
            @Override
            public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                    Progressable progress) {
                return new FSDataOutputStream(stream, null);
            }

            @Override
            public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                    short replication, long blockSize, Progressable progress) {
                return new FSDataOutputStream(stream, null);
            }
        };
        fs.initialize(dir.toUri(), new Configuration(false));
        // try-with-resources threw IllegalArgumentException("Self-suppression not permitted") here, which ended the writer.
        assertThatThrownBy(() -> HdfsWrites.write(fs, new Path(dir.resolve("m.json").toUri()), new byte[] {1}))
                .isSameAs(stream.failure);
        assertThat(stream.failure.getSuppressed()).isEmpty();
    }

    @Test
    void writesSyncsAndClosesTheFile() throws Exception {
        RawLocalFileSystem fs = new RawLocalFileSystem();
        fs.initialize(dir.toUri(), new Configuration(false));
        HdfsWrites.write(fs, new Path(dir.resolve("m.json").toUri()), "{}".getBytes(StandardCharsets.UTF_8));
        HdfsWrites.write(fs, new Path(dir.resolve("m.json").toUri()), "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(dir.resolve("m.json"))).isEqualTo("{\"a\":1}");
    }
}
