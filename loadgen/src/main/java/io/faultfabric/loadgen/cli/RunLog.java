package io.faultfabric.loadgen.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/** Sends the log's FILE appender (see logback.xml) to the run's report directory. */
final class RunLog {
    /** logback.xml reads the FILE appender's path from this property. */
    static final String PROPERTY = "faultfabric.log.file";
    static final String FILE_APPENDER = "FILE";

    private RunLog() {}

    static void to(Path file) {
        String path = file.toAbsolutePath().toString();
        System.setProperty(PROPERTY, path);
        // logback reads the property once, when it starts; if something logged before this, move the open file instead
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) return;
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(FILE_APPENDER);
        if (appender instanceof FileAppender && !path.equals(((FileAppender<ILoggingEvent>) appender).getFile())) {
            FileAppender<ILoggingEvent> fileAppender = (FileAppender<ILoggingEvent>) appender;
            fileAppender.stop();
            fileAppender.setFile(path);
            fileAppender.start();
        }
    }
}
