/// The line chart, in SVG: one `path.curve` per series (its `data-run-id`), a `path.band` for a downsampled
/// series' min/max, axes with ticks, EMA smoothing as TensorBoard does it, linear or log y.
enum ChartScript {
    /// The JavaScript.
    static let text = #"""
    const StrataChart = (() => {
      const NS = 'http://www.w3.org/2000/svg';

      function node(tag, attributes, parent) {
        const element = document.createElementNS(NS, tag);
        for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
        if (parent) parent.appendChild(element);
        return element;
      }

      /**
       * TensorBoard's smoothing: an exponential moving average, debiased so the start is not pulled to 0.
       * A missing value (null: the API's NaN or infinity) stays missing and leaves the average alone.
       */
      function ema(values, weight) {
        if (!weight) return values.slice();
        let last = 0, count = 0;
        return values.map((value) => {
          if (!Number.isFinite(value)) return value;
          last = last * weight + (1 - weight) * value;
          count += 1;
          return last / (1 - Math.pow(weight, count));
        });
      }

      /**
       * The lowest and highest of `values`, by a loop: Math.min(...values) throws a RangeError past about
       * 125,000 values (a raw series of a long run, or 65,000 steps smoothed with the raw curve behind).
       */
      function extent(values) {
        let low = Infinity, high = -Infinity;
        for (const value of values) {
          if (value < low) low = value;
          if (value > high) high = value;
        }
        return [low, high];
      }

      /** About `count` round tick values from `low` to `high`. */
      function ticks(low, high, count) {
        if (!(high > low)) return [low];
        const raw = (high - low) / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
        const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
        const values = [];
        for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
        return values;
      }

      /**
       * Draws `series` ([{id, label, color, x, y, ymin, ymax, downsampled}]) into `svg`.
       * Options: smoothing (0 to 0.99), log (y on a log scale), xLabel.
       */
      function draw(svg, series, options) {
        options = options || {};
        while (svg.firstChild) svg.removeChild(svg.firstChild);
        const width = svg.clientWidth || 800, height = svg.clientHeight || Number(svg.getAttribute('height')) || 300;
        const margin = {left: 64, right: 16, top: 12, bottom: 36};
        // Number.isFinite, not isFinite: isFinite(null) is true, which drew a missing value as 0.
        const keep = (x, y) => Number.isFinite(x) && Number.isFinite(y) && (!options.log || y > 0);
        const prepared = series.map((s) => {
          const smoothed = ema(s.y, options.smoothing || 0);
          const points = [], raw = [], band = [];
          s.x.forEach((x, i) => {
            if (keep(x, smoothed[i])) points.push([x, smoothed[i]]);
            if (options.smoothing && keep(x, s.y[i])) raw.push([x, s.y[i]]);
            if (s.ymin && keep(x, s.ymin[i]) && keep(x, s.ymax[i])) band.push([x, s.ymin[i], s.ymax[i]]);
          });
          return {source: s, points, raw, band};
        });
        let xs = [], ys = [];
        for (const p of prepared) {
          for (const [x, y] of p.points.concat(p.raw)) { xs.push(x); ys.push(y); }
          for (const [x, low, high] of p.band) { xs.push(x); ys.push(low, high); }
        }
        if (xs.length === 0) {
          node('text', {x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'label empty'}, svg).textContent = 'no points';
          return;
        }
        let [x0, x1] = extent(xs), [y0, y1] = extent(ys);
        if (x0 === x1) { x0 -= 1; x1 += 1; }
        if (y0 === y1) { const d = Math.abs(y0) * 0.1 || 1; y0 -= options.log ? 0 : d; y1 += d; }
        const ty = options.log ? Math.log10 : (v) => v;
        const [t0, t1] = [ty(y0), ty(y1)], pad = (t1 - t0) * 0.04;
        const sx = (x) => margin.left + (x - x0) / (x1 - x0) * (width - margin.left - margin.right);
        const sy = (y) => height - margin.bottom - (ty(y) - t0 + pad) / (t1 - t0 + 2 * pad) * (height - margin.top - margin.bottom);
        drawAxes(svg, {x0, x1, y0, y1, sx, sy, width, height, margin, log: options.log, xLabel: options.xLabel});
        const line = (points) => points.map(([x, y], i) => (i ? 'L' : 'M') + sx(x).toFixed(1) + ',' + sy(y).toFixed(1)).join('');
        for (const p of prepared) {
          const id = p.source.id;
          if (p.band.length) {
            const upper = p.band.map(([x, , high]) => [x, high]), lower = p.band.map(([x, low]) => [x, low]).reverse();
            node('path', {class: 'band', d: line(upper) + line(lower).replace('M', 'L') + 'Z', fill: p.source.color, 'data-run-id': id}, svg);
          }
          if (p.raw.length) node('path', {class: 'raw-line', d: line(p.raw), stroke: p.source.color, 'data-run-id': id}, svg);
          const curve = node('path', {class: 'curve', d: line(p.points), stroke: p.source.color, 'data-run-id': id}, svg);
          node('title', {}, curve).textContent = p.source.label;
          if (p.points.length === 1) {
            const [[x, y]] = p.points;
            node('circle', {class: 'point', cx: sx(x), cy: sy(y), r: 3.5, fill: p.source.color, 'data-run-id': id}, svg);
          }
        }
      }

      function drawAxes(svg, a) {
        const grid = node('g', {class: 'grid'}, svg), axis = node('g', {class: 'axis'}, svg);
        const bottom = a.height - a.margin.bottom, right = a.width - a.margin.right;
        for (const x of ticks(a.x0, a.x1, Math.max(2, Math.floor(a.width / 110)))) {
          node('line', {x1: a.sx(x), x2: a.sx(x), y1: a.margin.top, y2: bottom}, grid);
          node('text', {x: a.sx(x), y: bottom + 16, 'text-anchor': 'middle'}, axis).textContent = Strata.number(x);
        }
        const yTicks = a.log ? logTicks(a.y0, a.y1) : ticks(a.y0, a.y1, Math.max(2, Math.floor(a.height / 60)));
        for (const y of yTicks) {
          node('line', {x1: a.margin.left, x2: right, y1: a.sy(y), y2: a.sy(y)}, grid);
          node('text', {x: a.margin.left - 6, y: a.sy(y) + 4, 'text-anchor': 'end'}, axis).textContent = Strata.number(y);
        }
        node('line', {x1: a.margin.left, x2: right, y1: bottom, y2: bottom}, axis);
        node('line', {x1: a.margin.left, x2: a.margin.left, y1: a.margin.top, y2: bottom}, axis);
        if (a.xLabel) node('text', {x: right, y: a.height - 4, 'text-anchor': 'end', class: 'label'}, svg).textContent = a.xLabel;
      }

      function logTicks(low, high) {
        const values = [];
        for (let p = Math.floor(Math.log10(low)); p <= Math.ceil(Math.log10(high)); p++) {
          const v = Math.pow(10, p);
          if (v >= low / 1.0001 && v <= high * 1.0001) values.push(v);
        }
        return values.length >= 2 ? values : [low, high];
      }

      return {draw, ema};
    })();
    """#
}
