package dev.socketserver.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * A grouped bar chart written as SVG by hand: one panel per figure, stacked, each with a bar per
 * series (server) in each group (connection count), and one legend. Missing values (NaN) leave a
 * gap. No library: the chart is a few rectangles and labels.
 */
final class SvgChart {
    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22", "#e377c2"};
    private static final int WIDTH = 1020;
    private static final int LEFT = 80;
    private static final int PLOT_RIGHT = 740;
    private static final int TOP = 50;
    private static final int PANEL_HEIGHT = 260;
    private static final int PANEL_GAP = 70;

    /** One bar colour: a value per group. */
    record Series(String name, double[] values) {
    }

    /** One figure: its title, its series, and whether its axis is logarithmic. */
    record Panel(String title, List<Series> series, boolean log) {
    }

    private final String title;
    private final List<String> groups;
    private final List<Panel> panels;

    SvgChart(String title, List<String> groups, List<Panel> panels) {
        this.title = title;
        this.groups = groups;
        this.panels = panels;
    }

    String render() {
        int height = TOP + panels.size() * (PANEL_HEIGHT + PANEL_GAP) + 10;
        var svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"28\" font-size=\"16\" font-weight=\"bold\">%s</text>%n", LEFT, escape(title)));
        for (int p = 0; p < panels.size(); p++) {
            panel(svg, panels.get(p), TOP + p * (PANEL_HEIGHT + PANEL_GAP) + 20);
        }
        legend(svg);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void panel(StringBuilder svg, Panel panel, int top) {
        int bottom = top + PANEL_HEIGHT;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                LEFT, top - 8, escape(panel.title())));
        double max = 0;
        double min = Double.MAX_VALUE;
        for (Series s : panel.series()) {
            for (double v : s.values()) {
                if (!Double.isNaN(v) && v > 0) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
        }
        if (max == 0) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">no data</text>%n", LEFT + 10, top + 20));
            return;
        }
        Axis axis = panel.log() ? Axis.log(min, max) : Axis.linear(max);
        for (double tick : axis.ticks()) {
            double y = bottom - axis.fraction(tick) * PANEL_HEIGHT;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, PLOT_RIGHT, y, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, y + 4, label(tick)));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", LEFT, PLOT_RIGHT, bottom, bottom));
        double groupWidth = (PLOT_RIGHT - LEFT) / (double) groups.size();
        int n = panel.series().size();
        double barWidth = groupWidth * 0.8 / Math.max(1, n);
        for (int g = 0; g < groups.size(); g++) {
            double x0 = LEFT + g * groupWidth + groupWidth * 0.1;
            for (int s = 0; s < n; s++) {
                double v = panel.series().get(s).values()[g];
                if (Double.isNaN(v) || v <= 0) {
                    continue;
                }
                double h = Math.max(1, axis.fraction(v) * PANEL_HEIGHT);
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %s</title></rect>%n",
                        x0 + s * barWidth, bottom - h, Math.max(1, barWidth - 1), h, COLOURS[s % COLOURS.length],
                        escape(panel.series().get(s).name() + ", " + groups.get(g)), label(v)));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    LEFT + (g + 0.5) * groupWidth, bottom + 18, escape(groups.get(g))));
        }
    }

    private void legend(StringBuilder svg) {
        if (panels.isEmpty()) {
            return;
        }
        int x = PLOT_RIGHT + 20;
        int y = TOP + 30;
        List<Series> series = panels.getFirst().series();
        for (int s = 0; s < series.size(); s++) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, y + s * 20, COLOURS[s % COLOURS.length]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x + 18, y + s * 20 + 10,
                    escape(series.get(s).name())));
        }
    }

    /** Where values fall on a panel's height: a fraction from 0 (bottom) to 1 (top). */
    record Axis(double min, double max, boolean log, double[] ticks) {
        static Axis linear(double max) {
            double rough = max / 5;
            double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
            double step = rough / magnitude < 2 ? 2 * magnitude : rough / magnitude < 5 ? 5 * magnitude : 10 * magnitude;
            int count = (int) Math.ceil(max / step);
            double[] ticks = new double[count + 1];
            for (int i = 0; i <= count; i++) {
                ticks[i] = i * step;
            }
            return new Axis(0, count * step, false, ticks);
        }

        static Axis log(double min, double max) {
            int low = (int) Math.floor(Math.log10(min));
            int high = (int) Math.ceil(Math.log10(max));
            if (high == low) {
                high++;
            }
            double[] ticks = new double[high - low + 1];
            for (int i = 0; i < ticks.length; i++) {
                ticks[i] = Math.pow(10, low + i);
            }
            return new Axis(Math.pow(10, low), Math.pow(10, high), true, ticks);
        }

        double fraction(double value) {
            if (log) {
                return (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
            }
            return value / max;
        }
    }

    static String label(double v) {
        if (v >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (v >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
