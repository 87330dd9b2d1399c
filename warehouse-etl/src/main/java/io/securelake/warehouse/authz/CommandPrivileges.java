package io.securelake.warehouse.authz;

import static io.securelake.warehouse.authz.HiveAccess.ALTER;
import static io.securelake.warehouse.authz.HiveAccess.ANY;
import static io.securelake.warehouse.authz.HiveAccess.CREATE;
import static io.securelake.warehouse.authz.HiveAccess.DROP;
import static io.securelake.warehouse.authz.HiveAccess.SELECT;
import static io.securelake.warehouse.authz.HiveAccess.UPDATE;

import io.securelake.policies.api.MaskDecision;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.GlobalTempView$;
import org.apache.spark.sql.catalyst.analysis.PersistedView$;
import org.apache.spark.sql.catalyst.analysis.ResolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.ResolvedNamespace;
import org.apache.spark.sql.catalyst.analysis.ResolvedPersistentView;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.analysis.ResolvedTempView;
import org.apache.spark.sql.catalyst.plans.logical.CacheTable;
import org.apache.spark.sql.catalyst.plans.logical.CacheTableAsSelect;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.UncacheTable;
import org.apache.spark.sql.connector.catalog.CatalogManager;
import org.apache.spark.sql.connector.catalog.CatalogPlugin;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.command.AlterDatabaseSetLocationCommand;
import org.apache.spark.sql.execution.command.AlterTableSetLocationCommand;
import org.apache.spark.sql.execution.command.AlterViewAsCommand;
import org.apache.spark.sql.execution.command.CreateDataSourceTableAsSelectCommand;
import org.apache.spark.sql.execution.command.CreateDataSourceTableCommand;
import org.apache.spark.sql.execution.command.CreateDatabaseCommand;
import org.apache.spark.sql.execution.command.CreateTableCommand;
import org.apache.spark.sql.execution.command.CreateTableLikeCommand;
import org.apache.spark.sql.execution.command.CreateViewCommand;
import org.apache.spark.sql.execution.command.DescribeColumnCommand;
import org.apache.spark.sql.execution.command.DescribeQueryCommand;
import org.apache.spark.sql.execution.command.DescribeTableCommand;
import org.apache.spark.sql.execution.command.DropDatabaseCommand;
import org.apache.spark.sql.execution.command.DropFunctionCommand;
import org.apache.spark.sql.execution.command.DropTableCommand;
import org.apache.spark.sql.execution.command.ExplainCommand;
import org.apache.spark.sql.execution.command.InsertIntoDataSourceDirCommand;
import org.apache.spark.sql.execution.command.LoadDataCommand;
import org.apache.spark.sql.execution.command.SetCommand;
import org.apache.spark.sql.execution.command.SetNamespaceCommand;
import org.apache.spark.sql.execution.command.ShowColumnsCommand;
import org.apache.spark.sql.execution.command.ShowPartitionsCommand;
import org.apache.spark.sql.execution.command.ShowTablesCommand;
import org.apache.spark.sql.execution.datasources.CreateTempViewUsing;
import org.apache.spark.sql.execution.datasources.InsertIntoDataSourceCommand;
import org.apache.spark.sql.execution.datasources.InsertIntoHadoopFsRelationCommand;
import org.apache.spark.sql.execution.datasources.SaveIntoDataSourceCommand;
import org.apache.spark.sql.hive.execution.CreateHiveTableAsSelectCommand;
import org.apache.spark.sql.hive.execution.InsertIntoHiveDirCommand;
import org.apache.spark.sql.hive.execution.InsertIntoHiveTable;

/**
 * What each command needs, as Spark 3.5.4 presents it to a check rule (after the post-hoc resolution
 * rules turned statements into v1 commands, or as v2 commands over resolved identifiers). Any other
 * command is refused: a statement kind this class has not been taught is never run unchecked.
 * <table>
 * <tr><td>CREATE TABLE, CTAS, CREATE VIEW, CREATE TABLE LIKE, CREATE DATABASE, CREATE FUNCTION</td><td>create (CTAS/views: and select on what they read; LIKE: select on the source)</td></tr>
 * <tr><td>INSERT [OVERWRITE], LOAD DATA, TRUNCATE, CTAS into an existing table</td><td>update on the target (and select on what the query reads)</td></tr>
 * <tr><td>ALTER TABLE/VIEW/DATABASE …, MSCK/RECOVER PARTITIONS, ANALYZE</td><td>alter (RENAME: and create on the new name)</td></tr>
 * <tr><td>DROP TABLE/VIEW/DATABASE/FUNCTION, ALTER TABLE DROP PARTITION</td><td>drop</td></tr>
 * <tr><td>DESCRIBE TABLE/COLUMN, SHOW COLUMNS/CREATE TABLE/TBLPROPERTIES/PARTITIONS</td><td>select (DESCRIBE EXTENDED of a masked or row-filtered table's column is refused: its statistics are unmasked)</td></tr>
 * <tr><td>USE db, DESCRIBE DATABASE, REFRESH TABLE</td><td>any privilege ({@code USE default} is free: every session starts there)</td></tr>
 * <tr><td>SHOW DATABASES/TABLES/VIEWS/TABLE EXTENDED</td><td>filtered to what is visible</td></tr>
 * <tr><td>INSERT OVERWRITE DIRECTORY, data sources by path, when acting for an end user</td><td>read/write on the url</td></tr>
 * <tr><td>EXPLAIN, DESCRIBE QUERY</td><td>the explained query is analysed (and checked) first; EXPLAIN is refused for people</td></tr>
 * <tr><td>SET/RESET (not of {@code spark.securelake.*}, {@code spark.sql.catalog.*}), SHOW FUNCTIONS, CACHE/UNCACHE, temporary views</td><td>nothing beyond what they read</td></tr>
 * </table>
 */
final class CommandPrivileges {
    /** Commands that read nothing and change nothing the policies govern. */
    private static final Set<String> HARMLESS = Set.of("ResetCommand", "ShowFunctionsCommand", "ShowFunctions",
            "DescribeFunctionCommand", "ShowCurrentNamespaceCommand", "ShowCatalogsCommand", "ListJarsCommand",
            "ListFilesCommand", "ListArchivesCommand", "RefreshFunctionCommand", "ClearCacheCommand",
            "DropTempViewCommand");
    /** Statements that load code or files into the server: refused for everyone, no policy can grant them. */
    private static final java.util.Map<String, String> NEVER = java.util.Map.of(
            "AddJarsCommand", "ADD JAR", "AddFilesCommand", "ADD FILE", "AddArchivesCommand", "ADD ARCHIVE",
            "CreateFunctionCommand", "CREATE FUNCTION", "CreateFunction", "CREATE FUNCTION");
    /** ALTER-family v1 commands, named by the table identifier they carry. */
    private static final Set<String> ALTERS = Set.of("AlterTableAddColumnsCommand", "AlterTableAddPartitionCommand",
            "AlterTableChangeColumnCommand", "AlterTableRenamePartitionCommand", "AlterTableSerDePropertiesCommand",
            "AlterTableSetLocationCommand", "AlterTableSetPropertiesCommand", "AlterTableUnsetPropertiesCommand",
            "RepairTableCommand", "AnalyzeTableCommand", "AnalyzeColumnCommand", "AnalyzePartitionCommand");
    /** Metadata reads of one table: the same privilege as reading it. */
    private static final Set<String> DESCRIBES = Set.of("DescribeTableCommand", "ShowCreateTableCommand",
            "ShowCreateTableAsSerdeCommand", "ShowTablePropertiesCommand", "ShowPartitionsCommand");
    private static final List<String> PROTECTED_SETTINGS = List.of("spark.securelake.", "spark.sql.catalog.",
            "spark.sql.defaultcatalog");

    private CommandPrivileges() {
    }

    static void collect(LogicalPlan cmd, PrivilegeCollector c) {
        String name = cmd.getClass().getSimpleName();
        String user = c.authz().user().name();

        if (HARMLESS.contains(name)) {
            return;
        }
        if (NEVER.containsKey(name)) {
            c.refuse(new SqlSurface.Refusal(NEVER.get(name), "loading code or files into the query server is never"
                    + " allowed (securelake ships no user-defined functions)"));
            return;
        }
        if (c.surfaceChecked() && cmd instanceof ShowTablesCommand t && t.isExtended()) {
            c.refuse(new SqlSurface.Refusal("SHOW TABLE EXTENDED", "it shows storage locations and statistics;"
                    + " use SHOW TABLES and DESCRIBE"));
            return;
        }
        if (ShowCommandFilterRule.isShow(cmd)) {
            if (!PlanMarks.has(cmd, PlanMarks.SHOW_FILTERED, user, c.authz().policyVersion())) {
                c.refuse("run a SHOW statement whose output cannot be filtered to what the user may see");
            }
            return;
        }
        if (cmd instanceof SetCommand s) {
            if (c.surfaceChecked()) {
                SessionSettings.judgeSet(s.kv()).ifPresent(c::refuse);
                return;
            }
            Optional<String> key = Scala.opt(s.kv()).map(kv -> kv._1().toLowerCase(java.util.Locale.ROOT));
            if (key.isPresent() && Scala.opt(s.kv().get()._2()).isPresent()
                    && PROTECTED_SETTINGS.stream().anyMatch(key.get()::startsWith)) {
                c.refuse("change the setting [" + key.get() + "]");
            }
            return;
        }

        // --- data sources named by the statement -------------------------------------------------
        if (cmd instanceof CreateTempViewUsing v) {
            tempViewUsing(c, v);

        // --- writes ------------------------------------------------------------------------------
        } else if (cmd instanceof InsertIntoHiveTable i) {
            c.need(UPDATE, c.table(i.table()));
            c.visitRoot(i.query());
        } else if (cmd instanceof InsertIntoHadoopFsRelationCommand i) {
            if (i.catalogTable().isDefined()) {
                c.need(UPDATE, c.table(i.catalogTable().get()));
            } else {
                c.externalWrite(i.outputPath().toString());
            }
            c.visitRoot(i.query());
        } else if (cmd instanceof InsertIntoDataSourceCommand i) {
            Optional<org.apache.spark.sql.catalyst.catalog.CatalogTable> t = Scala.opt(i.logicalRelation().catalogTable());
            if (t.isPresent()) {
                c.need(UPDATE, c.table(t.get()));
            } else {
                c.externalWrite(i.logicalRelation().relation().toString());
            }
            c.visitRoot(i.query());
        } else if (cmd instanceof InsertIntoHiveDirCommand i) {
            c.externalWrite(Scala.opt(i.storage().locationUri()).map(Object::toString).orElse("<directory>"));
            c.visitRoot(i.query());
        } else if (cmd instanceof InsertIntoDataSourceDirCommand i) {
            c.externalWrite(Scala.opt(i.storage().locationUri()).map(Object::toString).orElse("<directory>"));
            c.visitRoot(i.query());
        } else if (cmd instanceof SaveIntoDataSourceCommand s) {
            c.externalWrite(Scala.opt(s.options().get("path")).orElse(s.dataSource().getClass().getName()));
            c.visitRoot(s.query());
        } else if (cmd instanceof LoadDataCommand l) {
            c.need(UPDATE, c.table(l.table()));
            if (l.isLocal()) {
                c.need(HiveAccess.READ, HiveResource.url("file:" + l.path())); // a file on the server itself
            } else {
                c.external(l.path());
            }
        } else if (name.equals("TruncateTableCommand")) {
            c.need(UPDATE, c.table(firstTableIdentifier(cmd)));

        // --- creates -----------------------------------------------------------------------------
        } else if (cmd instanceof CreateDataSourceTableCommand t) {
            c.need(CREATE, c.table(t.table()));
            location(c, t.table());
        } else if (cmd instanceof CreateTableCommand t) {
            c.need(CREATE, c.table(t.table()));
            location(c, t.table());
        } else if (cmd instanceof CreateHiveTableAsSelectCommand t) {
            ctas(c, c.table(t.tableDesc()), t.mode(), t.query());
            location(c, t.tableDesc());
        } else if (cmd instanceof CreateDataSourceTableAsSelectCommand t) {
            ctas(c, c.table(t.table()), t.mode(), t.query());
            location(c, t.table());
        } else if (cmd instanceof CreateTableLikeCommand t) {
            c.need(CREATE, c.table(t.targetTable()));
            if (!isTempView(c, t.sourceTable())) {
                c.need(SELECT, c.table(t.sourceTable()));
            }
        } else if (cmd instanceof CreateViewCommand v) {
            if (v.viewType() == PersistedView$.MODULE$) {
                c.need(CREATE, c.table(v.name()));
                // CREATE OR REPLACE of an existing view changes it: the same privilege as ALTER VIEW … AS.
                if (v.replace() && c.session().sessionState().catalog().tableExists(qualified(c, v.name()))) {
                    c.need(ALTER, c.table(v.name()));
                }
            } else if (v.viewType() == GlobalTempView$.MODULE$ && c.surfaceChecked()) {
                c.refuse(new SqlSurface.Refusal("CREATE GLOBAL TEMPORARY VIEW", "global temporary views are shared"
                        + " by every session of the server; use a temporary view"));
            }
            c.visitRoot(v.plan());
        } else if (cmd instanceof AlterViewAsCommand v) {
            if (!isTempView(c, v.name())) {
                c.need(ALTER, c.table(v.name()));
            }
            c.visitRoot(v.query());
        } else if (name.equals("CreateNamespace")) {
            c.need(CREATE, database(c, cmd.children().head()));
        } else if (cmd instanceof CreateDatabaseCommand d) {
            c.need(CREATE, HiveResource.database(d.databaseName()));
            Scala.opt(d.path()).ifPresent(path -> readWrite(c, path));
        } else if (cmd instanceof DropFunctionCommand f) {
            c.need(DROP, udf(c, f.identifier()));

        // --- drops, alters -------------------------------------------------------------------------
        } else if (cmd instanceof DropTableCommand d) {
            if (!isTempView(c, d.tableName())) {
                c.need(DROP, c.table(d.tableName()));
            }
        } else if (name.equals("DropTable")) {
            identity(c, cmd.children().head()).ifPresent(r -> c.need(DROP, r));
        } else if (name.equals("DropNamespace")) {
            c.need(DROP, database(c, cmd.children().head()));
        } else if (cmd instanceof DropDatabaseCommand d) {
            c.need(DROP, HiveResource.database(d.databaseName()));
        } else if (name.equals("AlterTableDropPartitionCommand")) {
            c.need(DROP, c.table(firstTableIdentifier(cmd)));
        } else if (name.equals("AlterTableRenameCommand")) {
            List<TableIdentifier> ids = tableIdentifiers(cmd);
            c.need(ALTER, c.table(ids.get(0)));
            TableIdentifier to = ids.get(1);
            c.need(CREATE, c.table(to.database().isDefined() ? to
                    : new TableIdentifier(to.table(), Scala.option(c.table(ids.get(0)).database()))));
        } else if (ALTERS.contains(name)) {
            c.need(ALTER, c.table(firstTableIdentifier(cmd)));
            if (cmd instanceof AlterTableSetLocationCommand l) {
                readWrite(c, l.location());
            }
        } else if (name.equals("AnalyzeTablesCommand")) {
            c.need(ALTER, HiveResource.database(firstString(cmd).orElse(c.currentDatabase())));
        } else if (name.equals("SetNamespaceProperties") || name.equals("SetNamespaceLocation")
                || name.equals("CommentOnNamespace")) {
            c.need(ALTER, database(c, cmd.children().head()));
        } else if (name.equals("AlterDatabasePropertiesCommand") || name.equals("AlterDatabaseSetLocationCommand")) {
            c.need(ALTER, HiveResource.database(firstString(cmd).orElseThrow()));
            if (cmd instanceof AlterDatabaseSetLocationCommand l) {
                readWrite(c, l.location());
            }

        // --- metadata reads, USE, REFRESH ----------------------------------------------------------
        } else if (DESCRIBES.contains(name)) {
            TableIdentifier id = firstTableIdentifier(cmd);
            if (!isTempView(c, id)) {
                c.need(SELECT, c.table(id));
                boolean revealing = cmd instanceof ShowPartitionsCommand
                        || (cmd instanceof DescribeTableCommand d && d.isExtended());
                if (revealing && c.surfaceChecked()) {
                    nothingHidden(c, c.table(id), cmd instanceof ShowPartitionsCommand ? "SHOW PARTITIONS"
                            : "DESCRIBE EXTENDED/FORMATTED");
                }
            }
        } else if (cmd instanceof ShowColumnsCommand s) {
            TableIdentifier id = s.databaseName().isDefined()
                    ? new TableIdentifier(s.tableName().table(), s.databaseName()) : s.tableName();
            if (!isTempView(c, id)) {
                c.need(SELECT, c.table(id));
            }
        } else if (cmd instanceof DescribeColumnCommand d) {
            describeColumn(c, d);
        } else if (name.equals("ShowCreateTable") || name.equals("ShowTableProperties") || name.equals("ShowPartitions")
                || name.equals("DescribeRelation")) {
            identity(c, cmd.children().head()).ifPresent(r -> c.need(SELECT, r));
        } else if (name.equals("RefreshTable")) {
            identity(c, cmd.children().head()).ifPresent(r -> c.need(ANY, r));
        } else if (name.equals("RefreshTableCommand")) {
            TableIdentifier id = firstTableIdentifier(cmd);
            if (!isTempView(c, id)) {
                c.need(ANY, c.table(id));
            }
        } else if (name.equals("DescribeNamespace")) {
            c.need(ANY, database(c, cmd.children().head()));
        } else if (name.equals("DescribeDatabaseCommand")) {
            c.need(ANY, HiveResource.database(firstString(cmd).orElseThrow()));
        } else if (name.equals("SetCatalogAndNamespace")) {
            use(c, database(c, cmd.children().head()));
        } else if (cmd instanceof SetNamespaceCommand s) {
            if (s.namespace().size() != 1) {
                c.refuse("use a namespace outside the session catalog");
            } else {
                use(c, HiveResource.database(s.namespace().head()));
            }
        } else if (name.equals("SetCatalogCommand")) {
            if (!CatalogManager.SESSION_CATALOG_NAME().equals(firstString(cmd).orElse(""))) {
                c.refuse("use a catalog other than " + CatalogManager.SESSION_CATALOG_NAME());
            }

        // --- queries inside commands -----------------------------------------------------------------
        } else if (cmd instanceof CacheTable t) {
            c.visitRoot(t.table());
        } else if (cmd instanceof CacheTableAsSelect t) {
            c.visitRoot(t.plan());
        } else if (cmd instanceof UncacheTable t) {
            c.visitRoot(t.table());
        } else if (cmd instanceof ExplainCommand e) {
            if (c.surfaceChecked()) {
                // The plan prints the table's storage location and statistics, and the row filter and masks.
                c.refuse(new SqlSurface.Refusal("EXPLAIN", "a plan shows storage locations, table statistics and"
                        + " the policies' row filters and masks"));
                return;
            }
            analyseFirst(c, e.logicalPlan());
        } else if (cmd instanceof DescribeQueryCommand d) {
            analyseFirst(c, d.plan());
        } else {
            c.refuse("run [" + name + "] statements: this statement kind is not authorized by securelake");
        }
    }

    private static void ctas(PrivilegeCollector c, HiveResource target, SaveMode mode, LogicalPlan query) {
        c.need(CREATE, target);
        if (mode == SaveMode.Append || mode == SaveMode.Overwrite) {
            c.need(UPDATE, target); // DataFrameWriter.saveAsTable into an existing table
        }
        c.visitRoot(query);
    }

    /**
     * CREATE TEMPORARY VIEW … USING: a data source opened by path or options. For people, read on the url
     * of every path it names, or on {@code <provider>:} for a source without a path (jdbc, …), decided
     * now rather than only when the view is read. Global views are shared by every session: refused.
     */
    private static void tempViewUsing(PrivilegeCollector c, CreateTempViewUsing v) {
        if (!c.surfaceChecked()) {
            return;
        }
        if (v.global()) {
            c.refuse(new SqlSurface.Refusal("CREATE GLOBAL TEMPORARY VIEW", "global temporary views are shared by"
                    + " every session of the server; use a temporary view"));
            return;
        }
        java.util.Map<String, String> options = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        options.putAll(scala.collection.JavaConverters.mapAsJavaMapConverter(v.options()).asJava());
        List<String> paths = new java.util.ArrayList<>();
        if (options.containsKey("path")) {
            paths.add(options.get("path"));
        }
        if (options.containsKey("paths")) {
            // DataFrameReader's encoding of several paths: a JSON array of strings.
            paths.add(options.get("paths"));
        }
        if (paths.isEmpty()) {
            // jdbc and the like: its URL names what is opened; otherwise the source itself.
            c.external(options.containsKey("url") ? options.get("url")
                    : v.provider().toLowerCase(java.util.Locale.ROOT) + ":" + options.getOrDefault("dbtable", ""));
        } else {
            paths.forEach(c::external);
        }
    }

    /**
     * A statement that places a table or database at a path: a person needs read and write on that url (a
     * table over {@code /lake/<env>/raw} would otherwise be read with the server's rights). The ETL
     * service registers its curated tables this way through the query server; its table and database
     * privileges govern that.
     */
    private static void location(PrivilegeCollector c, org.apache.spark.sql.catalyst.catalog.CatalogTable t) {
        Scala.opt(t.storage().locationUri()).map(Object::toString).ifPresent(path -> readWrite(c, path));
    }

    private static void readWrite(PrivilegeCollector c, String path) {
        if (c.authz().person()) {
            c.external(path);
            c.externalWrite(path);
        }
    }

    /** Partition values and table statistics describe every row: refused where the person's rows or values are hidden. */
    private static void nothingHidden(PrivilegeCollector c, HiveResource table, String statement) {
        c.extraChecks.add(() -> {
            boolean hidden = c.authz().rowFilter(table).filter().isPresent();
            if (!hidden) {
                for (String column : columnsOf(c, table)) {
                    MaskDecision m = c.authz().mask(table.withColumn(column));
                    if (m.maskType().isPresent() && !"MASK_NONE".equals(m.maskType().get())) {
                        hidden = true;
                        break;
                    }
                }
            }
            if (hidden) {
                throw c.authz().refuse("use [" + statement + "] on [" + table.display() + "]: it shows storage"
                        + " locations, statistics or partition values of rows and columns hidden from the user");
            }
        });
    }

    /** The table's columns; none known (the check then refuses) if the catalog cannot say. */
    private static String[] columnsOf(PrivilegeCollector c, HiveResource table) {
        try {
            return c.session().sessionState().catalog()
                    .getTableMetadata(new TableIdentifier(table.table(), Scala.option(table.database()))).schema().fieldNames();
        } catch (Exception e) {
            throw c.authz().refuse("use [" + table.display() + "] here: its columns cannot be read from the catalog");
        }
    }

    private static TableIdentifier qualified(PrivilegeCollector c, TableIdentifier id) {
        return id.database().isDefined() ? id : new TableIdentifier(id.table(), Scala.option(c.currentDatabase()));
    }

    /** USE: any privilege on the database; the default database is where every session starts. */
    private static void use(PrivilegeCollector c, HiveResource db) {
        if (!"default".equals(db.database())) {
            c.need(ANY, db);
        }
    }

    /**
     * DESCRIBE [EXTENDED] t col: select on the column. EXTENDED shows the column's statistics (min, max,
     * distinct count, histogram) computed over all rows and unmasked values: refused where the user's
     * view of the column is masked or row-filtered.
     */
    private static void describeColumn(PrivilegeCollector c, DescribeColumnCommand d) {
        if (isTempView(c, d.table())) {
            return;
        }
        HiveResource table = c.table(d.table());
        HiveResource column = table.withColumn(Scala.list(d.colNameParts()).get(d.colNameParts().size() - 1));
        c.need(SELECT, column);
        if (d.isExtended()) {
            c.extraChecks.add(() -> {
                MaskDecision m = c.authz().mask(column);
                boolean masked = m.maskType().isPresent() && !"MASK_NONE".equals(m.maskType().get());
                if (masked || c.authz().rowFilter(table).filter().isPresent()) {
                    throw c.authz().refuse("see the statistics of [" + column.display()
                            + "], whose values are masked or row-filtered for the user");
                }
            });
        }
    }

    /**
     * EXPLAIN and DESCRIBE QUERY analyse their query only when they run, inside the running command,
     * where nested analyses are not re-authorized. Analyse (and so check) a copy now.
     */
    private static void analyseFirst(PrivilegeCollector c, LogicalPlan parsed) {
        if (parsed.resolved()) {
            c.visitRoot(parsed);
            return;
        }
        c.session().sessionState().executePlan(parsed.clone(),
                org.apache.spark.sql.execution.CommandExecutionMode$.MODULE$.SKIP()).analyzed();
    }

    // --- names ---------------------------------------------------------------------------------------

    /** True for a resolved identifier-only leaf (a v2 command's table or namespace, not data). */
    static boolean isIdentity(LogicalPlan node) {
        return node instanceof ResolvedNamespace || node instanceof ResolvedIdentifier || node instanceof ResolvedTable
                || node instanceof ResolvedPersistentView || node instanceof ResolvedTempView;
    }

    private static HiveResource database(PrivilegeCollector c, LogicalPlan node) {
        if (node instanceof ResolvedNamespace ns && sessionCatalog(ns.catalog()) && ns.namespace().size() == 1) {
            return HiveResource.database(ns.namespace().head());
        }
        c.refuse("use a namespace outside the session catalog");
        return HiveResource.database("<unsupported>");
    }

    /** The table a v2 command names; empty for a temporary view (the session's own). */
    private static Optional<HiveResource> identity(PrivilegeCollector c, LogicalPlan node) {
        if (node instanceof ResolvedTempView) {
            return Optional.empty();
        }
        CatalogPlugin catalog = null;
        Identifier id = null;
        if (node instanceof ResolvedIdentifier r) {
            catalog = r.catalog();
            id = r.identifier();
        } else if (node instanceof ResolvedTable r) {
            catalog = r.catalog();
            id = r.identifier();
        } else if (node instanceof ResolvedPersistentView r) {
            catalog = r.catalog();
            id = r.identifier();
        }
        if (catalog == null || !sessionCatalog(catalog) || id.namespace().length != 1) {
            c.refuse("run this statement on an object outside the session catalog");
            return Optional.empty();
        }
        return Optional.of(HiveResource.table(id.namespace()[0], id.name()));
    }

    private static boolean sessionCatalog(CatalogPlugin catalog) {
        return CatalogManager.SESSION_CATALOG_NAME().equals(catalog.name());
    }

    private static HiveResource udf(PrivilegeCollector c, FunctionIdentifier f) {
        return HiveResource.udf(Scala.opt(f.database()).orElse(c.currentDatabase()), f.funcName());
    }

    private static boolean isTempView(PrivilegeCollector c, TableIdentifier id) {
        return c.session().sessionState().catalog().isTempView(id);
    }

    private static List<TableIdentifier> tableIdentifiers(LogicalPlan cmd) {
        List<TableIdentifier> out = new java.util.ArrayList<>();
        scala.collection.Iterator<Object> it = cmd.productIterator();
        while (it.hasNext()) {
            if (it.next() instanceof TableIdentifier t) {
                out.add(t);
            }
        }
        return out;
    }

    private static TableIdentifier firstTableIdentifier(LogicalPlan cmd) {
        List<TableIdentifier> ids = tableIdentifiers(cmd);
        if (ids.isEmpty()) {
            throw new IllegalStateException(cmd.getClass().getSimpleName() + " names no table");
        }
        return ids.get(0);
    }

    private static Optional<String> firstString(LogicalPlan cmd) {
        scala.collection.Iterator<Object> it = cmd.productIterator();
        while (it.hasNext()) {
            Object o = it.next();
            if (o instanceof String s) {
                return Optional.of(s);
            }
            if (o instanceof scala.Some<?> some && some.get() instanceof String s) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
