package dev.roster.transfer.importing;

import java.io.Closeable;

/** Reads a file row by row. Implementations stream: they hold one row at a time. */
interface RowParser extends Closeable {
    /** The next row, or null at the end of the file. */
    ParsedRow next();
}
