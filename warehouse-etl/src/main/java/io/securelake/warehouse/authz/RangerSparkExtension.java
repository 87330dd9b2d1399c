package io.securelake.warehouse.authz;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Ranger authorization for Spark SQL, with the environment's hive policies (Ranger's own engine, via
 * {@link io.securelake.policies.api.PolicyDecider}), for the query server and for ETL jobs.
 * <pre>
 * spark.sql.extensions=io.securelake.warehouse.authz.RangerSparkExtension
 * spark.securelake.env=dev
 * spark.securelake.envs.dir=/path/to/envs
 * spark.securelake.policies.dir=/path/to/security-policies/policies
 * spark.securelake.audit.dir=/path/to/audit        (decisions go to &lt;it&gt;/hive, hash-chained)
 * </pre>
 * Without that configuration (or with an unreadable policy file) every statement is refused.
 * <ul>
 * <li>{@link RowFilterAndMaskingRule} (resolution): row filters and masks above every table scan;</li>
 * <li>{@link ShowCommandFilterRule} (resolution): SHOW DATABASES/TABLES/VIEWS list only what is visible;</li>
 * <li>{@link AccessCheckRule} (check): every privilege the statement needs, deny by default.</li>
 * </ul>
 * The user is the Thrift server session's user ({@code CurrentUserContext.CURRENT_USER}), else the
 * process's Hadoop (Kerberos) user; groups come from the environment definition.
 * <p>Never throws here: Spark would log the error and run the session <em>without</em> the extension.
 */
public final class RangerSparkExtension extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        extensions.injectResolutionRule(RowFilterAndMaskingRule::new);
        extensions.injectResolutionRule(ShowCommandFilterRule::new);
        extensions.injectCheckRule(AccessCheckRule::new);
        return BoxedUnit.UNIT;
    }
}
