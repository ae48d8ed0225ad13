package dev.cohort.bench.e2e;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two small SVG charts written by hand (no plotting library on the classpath): horizontal bars (one
 * value per label) and lines (series of (x, y) points). Plain SVG 1.1, readable in browsers and on
 * GitHub.
 */
public final class SvgChart {
  private static final String[] COLORS = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f"
  };

  private SvgChart() {}

  /** Horizontal bars; {@code colorOf} picks a color index per label. */
  public static String bars(
      String title, String unit, Map<String, Double> values, Map<String, Integer> colorOf) {
    int rowH = 26;
    int left = 190;
    int width = 720;
    int plotW = width - left - 120;
    int height = 50 + rowH * values.size() + 30;
    double max = values.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
    if (max <= 0) {
      max = 1;
    }
    StringBuilder sb = header(width, height, title);
    int y = 45;
    for (Map.Entry<String, Double> e : values.entrySet()) {
      double w = plotW * e.getValue() / max;
      String color = COLORS[colorOf.getOrDefault(e.getKey(), 0) % COLORS.length];
      sb.append(
          fmt(
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"13\">%s</text>%n",
              left - 8, y + 17, esc(e.getKey())));
      sb.append(
          fmt(
              "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
              left, y + 3, w, rowH - 6, color));
      sb.append(
          fmt(
              "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s</text>%n",
              left + w + 6, y + 17, esc(number(e.getValue()) + " " + unit)));
      y += rowH;
    }
    return sb.append("</svg>\n").toString();
  }

  /** Lines over a numeric x axis (both axes linear, from 0). */
  public static String lines(
      String title, String xLabel, String yLabel, Map<String, List<double[]>> series) {
    int width = 720;
    int height = 420;
    int left = 70;
    int right = 160;
    int top = 45;
    int bottom = 55;
    int plotW = width - left - right;
    int plotH = height - top - bottom;
    double maxX = 1;
    double maxY = 1e-9;
    for (List<double[]> pts : series.values()) {
      for (double[] p : pts) {
        maxX = Math.max(maxX, p[0]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    maxY = niceCeil(maxY);
    StringBuilder sb = header(width, height, title);
    sb.append(
        fmt(
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
            left, top, plotW, plotH));
    for (int i = 0; i <= 4; i++) {
      double v = maxY * i / 4;
      double y = top + plotH - plotH * i / 4.0;
      sb.append(
          fmt(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
              left, y, left + plotW, y));
      sb.append(
          fmt(
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%s</text>%n",
              left - 6, y + 4, number(v)));
    }
    Map<Double, Boolean> ticks = new LinkedHashMap<>();
    series.values().forEach(pts -> pts.forEach(p -> ticks.put(p[0], true)));
    for (double x : ticks.keySet()) {
      double px = left + plotW * x / maxX;
      sb.append(
          fmt(
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%s</text>%n",
              px, top + plotH + 16, number(x)));
    }
    sb.append(
        fmt(
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s</text>%n",
            left + plotW / 2, height - 14, esc(xLabel)));
    sb.append(
        fmt(
            "<text x=\"16\" y=\"%d\" font-size=\"12\" transform=\"rotate(-90 16 %d)\""
                + " text-anchor=\"middle\">%s</text>%n",
            top + plotH / 2, top + plotH / 2, esc(yLabel)));
    int c = 0;
    int legendY = top + 10;
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      String color = COLORS[c++ % COLORS.length];
      StringBuilder pts = new StringBuilder();
      for (double[] p : e.getValue()) {
        double px = left + plotW * p[0] / maxX;
        double py = top + plotH - plotH * p[1] / maxY;
        pts.append(fmt("%.1f,%.1f ", px, py));
        sb.append(fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py, color));
      }
      sb.append(
          fmt(
              "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
              pts.toString().trim(), color));
      sb.append(
          fmt(
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
              left + plotW + 12, legendY - 10, color));
      sb.append(
          fmt(
              "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>%n",
              left + plotW + 30, legendY, esc(e.getKey())));
      legendY += 20;
    }
    return sb.append("</svg>\n").toString();
  }

  private static StringBuilder header(int width, int height, String title) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        fmt(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n",
            width, height, width, height));
    sb.append(fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    sb.append(
        fmt(
            "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-size=\"15\""
                + " font-weight=\"bold\">%s</text>%n",
            width / 2, esc(title)));
    return sb;
  }

  private static double niceCeil(double v) {
    double exp = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * exp >= v) {
        return m * exp;
      }
    }
    return 10 * exp;
  }

  static String number(double v) {
    if (Math.abs(v) >= 100 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String fmt(String f, Object... args) {
    return String.format(Locale.ROOT, f, args);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
