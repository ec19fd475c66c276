package dev.roster.transfer.export;

/**
 * Spreadsheet-safe CSV cells: a text cell that a spreadsheet would run as a formula (starting
 * with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return) gets a leading
 * apostrophe (OWASP "CSV injection"). Quoting itself is done by commons-csv.
 */
public final class CsvCells {
    private CsvCells() {
    }

    public static String text(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r') {
            return "'" + value;
        }
        return value;
    }
}
