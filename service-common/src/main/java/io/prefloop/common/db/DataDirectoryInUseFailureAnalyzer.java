package io.prefloop.common.db;

import io.prefloop.common.db.DataDirectoryLock.DataDirectoryInUseException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Puts the reason a second service on the same data directory stopped at the top of its log, not in a stack trace. */
class DataDirectoryInUseFailureAnalyzer extends AbstractFailureAnalyzer<DataDirectoryInUseException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DataDirectoryInUseException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Stop the service that holds the data directory, or set PREFLOOP_EMBEDDED_POSTGRES_DATA_DIR to another"
                        + " directory.", cause);
    }
}
