package io.securelake.warehouse.etl;

import io.securelake.encryption.avro.WireSchema;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Reads raw files into rows whose classified columns hold ciphertext in its text form (unpadded base64url,
 * docs/encryption-format.md section 3), whatever form the raw files carry.
 *
 * <p>The raw zone keeps classified fields as Avro {@code bytes} holding the binary ciphertext (the lake-writer's
 * wire schema); files from before that change hold the text form, as {@code string}. A day being rebuilt may
 * mix both, so every file is read with one reader schema: the newest file's, with every classified field
 * made {@code bytes} (whatever that file declared: it may come from an older writer). Avro promotes a file's
 * strings to bytes (their ASCII text), and a value is then told apart by its first byte: binary ciphertext
 * starts with its format version (0x01), a control character no text form starts with. The curated zone and
 * the Hive tables keep the text form: masks, joins and every existing table stay as they were. Which columns
 * are ciphertext comes from the schema's {@code classification} properties, nested records included.
 */
final class RawCiphertext {
    static final String UDF_NAME = "securelake_ciphertext_text";
    private static final Base64.Encoder TEXT = Base64.getUrlEncoder().withoutPadding();

    private RawCiphertext() {
    }

    /** The raw files as rows, classified columns as text; {@code newest} gives the reader schema. */
    static Dataset<Row> read(SparkSession spark, FileSystem fs, List<String> inputs, String newest) throws IOException {
        // Every classified field made bytes, by the same walk as the producers' wire schema.
        Schema readerSchema = WireSchema.of(schemaOf(fs, newest));
        Dataset<Row> raw = spark.read().format("avro").option("avroSchema", readerSchema.toString())
                .load(inputs.toArray(String[]::new));
        return asText(spark, raw, WireSchema.classifiedPaths(readerSchema));
    }

    static Schema schemaOf(FileSystem fs, String file) throws IOException {
        try (InputStream in = fs.open(new Path(file));
             DataFileStream<GenericRecord> stream = new DataFileStream<>(in, new GenericDatumReader<>())) {
            return stream.getSchema();
        }
    }

    /** Each classified column ({@code a} or {@code a.b}, binary under the reader schema) becomes its text form. */
    static Dataset<Row> asText(SparkSession spark, Dataset<Row> raw, List<String> classifiedPaths) {
        spark.udf().register(UDF_NAME, (UDF1<byte[], String>) RawCiphertext::text, DataTypes.StringType);
        Dataset<Row> out = raw;
        for (String path : classifiedPaths) {
            Column text = functions.callUDF(UDF_NAME, functions.col(path));
            int dot = path.indexOf('.');
            if (dot < 0) {
                out = out.withColumn(path, text);
            } else {
                String top = path.substring(0, dot);
                out = out.withColumn(top, functions.col(top).withField(path.substring(dot + 1), text));
            }
        }
        return out;
    }

    /** Binary ciphertext to text; a value that is already text (older raw files) is returned as it is. */
    static String text(byte[] value) {
        if (value == null) {
            return null;
        }
        if (value.length > 0 && (value[0] & 0xff) < 0x20) {
            return TEXT.encodeToString(value);
        }
        return new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
