/// Parallel coordinates: one vertical axis per parameter and one for the chosen metric, one `path.pc-line`
/// per run (its `data-run-id`); dragging along an axis keeps the runs inside the range (brushing).
enum ParallelScript {
    /// The JavaScript.
    static let text = #"""
    const StrataParallel = (() => {
      const NS = 'http://www.w3.org/2000/svg';
      const node = (tag, attributes, parent) => {
        const element = document.createElementNS(NS, tag);
        for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
        parent.appendChild(element);
        return element;
      };

      /** An axis over `values`: numeric when every present value is a number, else one position per distinct text. */
      function scaleFor(values) {
        const present = values.filter((v) => v !== null && v !== undefined);
        if (present.length && present.every((v) => typeof v === 'number')) {
          let low = Math.min(...present), high = Math.max(...present);
          if (low === high) { low -= 1; high += 1; }
          return {position: (v) => (typeof v === 'number' ? (v - low) / (high - low) : null),
                  labels: [[0, Strata.number(low)], [1, Strata.number(high)]]};
        }
        const names = [...new Set(present.map(String))].sort();
        const at = (i) => (names.length === 1 ? 0.5 : i / (names.length - 1));
        return {position: (v) => (v === null || v === undefined ? null : at(names.indexOf(String(v)))),
                labels: names.map((name, i) => [at(i), name])};
      }

      /**
       * Draws `runs` on `axes` ([{key, label, value(run)}]) into `svg`; the last axis colors the lines.
       * `onBrush(ids)` gets the set of run ids inside every brushed range (null when nothing is brushed).
       */
      function draw(svg, runs, axes, onBrush) {
        while (svg.firstChild) svg.removeChild(svg.firstChild);
        const width = svg.clientWidth || 900, height = svg.clientHeight || 320, top = 28, bottom = height - 24;
        if (!runs.length || !axes.length) {
          node('text', {x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'label'}, svg).textContent =
            'no runs or no parameters to show';
          onBrush(null);
          return;
        }
        const step = axes.length > 1 ? (width - 120) / (axes.length - 1) : 0;
        const columns = axes.map((axis, i) => ({...axis, x: 60 + i * step, scale: scaleFor(runs.map(axis.value))}));
        const y = (fraction) => bottom - fraction * (bottom - top);
        const colorAxis = columns[columns.length - 1];
        const lines = runs.map((run) => {
          let d = '', pen = 'M';
          for (const column of columns) {
            const fraction = column.scale.position(column.value(run));
            if (fraction === null) { pen = 'M'; continue; }
            d += pen + column.x.toFixed(1) + ',' + y(fraction).toFixed(1);
            pen = 'L';
          }
          const shade = colorAxis.scale.position(colorAxis.value(run));
          const stroke = shade === null ? '#999' : `hsl(${(1 - shade) * 220}, 70%, 45%)`;
          const path = node('path', {class: 'pc-line', d, stroke, 'data-run-id': run.id}, svg);
          const title = document.createElementNS(NS, 'title');
          title.textContent = `${run.id} ${run.name}`;
          path.appendChild(title);
          return {run, path};
        });
        const brushes = new Map();
        // While a drag lasts only the lines dim; the table follows at the release, as hiding its rows mid-drag
        // moved this chart under the pointer and left the brush behind it.
        const apply = (notify) => {
          let kept = null;
          if (brushes.size) {
            kept = new Set();
            for (const {run, path} of lines) {
              const inside = [...brushes].every(([key, [a, b]]) => {
                const column = columns.find((c) => c.key === key), fraction = column.scale.position(column.value(run));
                return fraction !== null && y(fraction) >= a && y(fraction) <= b;
              });
              path.classList.toggle('dimmed', !inside);
              if (inside) kept.add(run.id);
            }
          } else {
            for (const {path} of lines) path.classList.remove('dimmed');
          }
          if (notify) onBrush(kept);
        };
        for (const column of columns) {
          const group = node('g', {class: 'pc-axis', 'data-axis': column.key}, svg);
          node('line', {x1: column.x, x2: column.x, y1: top, y2: bottom}, group);
          node('text', {x: column.x, y: top - 10, 'text-anchor': 'middle'}, group).textContent = column.label;
          const labels = column.scale.labels, every = Math.ceil(labels.length / 12);
          labels.forEach(([fraction, text], i) => {
            if (i % every) return;
            node('text', {x: column.x + 5, y: y(fraction) + 4}, group).textContent = text;
          });
          const brush = node('rect', {class: 'pc-brush', x: column.x - 8, width: 16, y: 0, height: 0, visibility: 'hidden'}, group);
          const hit = node('rect', {class: 'pc-hit', x: column.x - 12, width: 24, y: top - 4, height: bottom - top + 8}, group);
          hit.addEventListener('mousedown', (event) => {
            event.preventDefault();
            const origin = svg.getBoundingClientRect().top;
            const start = event.clientY - origin;
            let moved = false;
            const move = (e) => {
              const now = e.clientY - origin, a = Math.max(top, Math.min(start, now)), b = Math.min(bottom, Math.max(start, now));
              if (Math.abs(now - start) < 3) return;
              moved = true;
              brush.setAttribute('y', a);
              brush.setAttribute('height', b - a);
              brush.setAttribute('visibility', 'visible');
              brushes.set(column.key, [a, b]);
              apply(false);
            };
            const up = () => {
              window.removeEventListener('mousemove', move);
              window.removeEventListener('mouseup', up);
              if (!moved) {
                brushes.delete(column.key);
                brush.setAttribute('visibility', 'hidden');
              }
              apply(true);
            };
            window.addEventListener('mousemove', move);
            window.addEventListener('mouseup', up);
          });
        }
        apply(true);
      }

      return {draw};
    })();
    """#
}
