package io.securelake.contracts.status;

/** What one kind of service reports beyond its state: the lake-writer's counters, the query server's URL, … */
public sealed interface ServiceFigures permits LakeWriterFigures, QueryServerFigures, GatewayFigures {
    /** The service these figures belong to (a status of another service with them is refused). */
    ServiceKind service();
}
