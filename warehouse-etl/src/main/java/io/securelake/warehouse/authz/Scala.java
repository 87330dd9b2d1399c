package io.securelake.warehouse.authz;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import scala.Option;
import scala.PartialFunction;
import scala.collection.JavaConverters;
import scala.runtime.AbstractPartialFunction;

/** Java ↔ Scala 2.12 glue for the few Catalyst calls the extension makes. */
final class Scala {
    private Scala() {
    }

    static <T> scala.collection.Seq<T> seq(List<T> list) {
        return JavaConverters.asScalaBuffer(list).toList();
    }

    static <T> List<T> list(scala.collection.Seq<T> seq) {
        return JavaConverters.seqAsJavaList(seq);
    }

    static <T> Optional<T> opt(Option<T> option) {
        return option.isDefined() ? Optional.ofNullable(option.get()) : Optional.empty();
    }

    static <T> Option<T> option(T value) {
        return Option.apply(value);
    }

    /** A partial function defined where {@code defined} holds. */
    static <A, B> PartialFunction<A, B> partial(Predicate<A> defined, Function<A, B> body) {
        return new AbstractPartialFunction<>() {
            @Override
            public boolean isDefinedAt(A x) {
                return defined.test(x);
            }

            @Override
            public <A1 extends A, B1> B1 applyOrElse(A1 x, scala.Function1<A1, B1> fallback) {
                if (defined.test(x)) {
                    @SuppressWarnings("unchecked")
                    B1 out = (B1) body.apply(x);
                    return out;
                }
                return fallback.apply(x);
            }
        };
    }
}
