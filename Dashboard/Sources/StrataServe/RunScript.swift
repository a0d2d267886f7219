/// The run page: the run's record, parameters (`#params-table`), metrics (`#metrics-table`), one chart per
/// metric (`#charts svg .curve`), the PNG images of its folder and a link to its report.html; the curves of
/// a running run grow as new steps arrive.
enum RunScript {
    /// The JavaScript.
    static let text = #"""
    (() => {
      const id = location.pathname.split('/').filter(Boolean)[1];
      const $ = (name) => document.getElementById(name);
      const charts = new Map();

      function fileURL(path) {
        return Strata.withToken(`/runs/${id}/files/` + path.split('/').map(encodeURIComponent).join('/'));
      }

      function showRun(run) {
        document.title = `${run.name} · Strata`;
        $('run-title').replaceChildren(`Run ${run.id}: ${run.name} `, Strata.status(run.status + (run.archived ? ' (archived)' : '')));
        const fields = [['experiment', run.experiment], ['command', run.command], ['started', Strata.date(run.started)],
                        ['ended', run.ended ? Strata.date(run.ended) : '-'], ['duration', Strata.runDuration(run)],
                        ['folder', run.folder || '-'], ['revision', run.revision || '-'], ['world size', run.world_size]];
        $('run-info').replaceChildren(...fields.flatMap(([k, v]) => [Strata.el('dt', {}, k), Strata.el('dd', {}, v)]));
        $('params-table').querySelector('tbody').replaceChildren(...Object.entries(run.params).map(([k, v]) =>
          Strata.el('tr', {'data-param': k}, Strata.el('td', {}, k), Strata.el('td', {}, Strata.number(v)))));
        $('metrics-table').querySelector('tbody').replaceChildren(...Object.entries(run.metrics).map(([k, m]) =>
          Strata.el('tr', {'data-metric': k}, Strata.el('td', {}, k), Strata.el('td', {class: 'number'}, Strata.number(m.latest)),
                    Strata.el('td', {class: 'number'}, m.step), Strata.el('td', {class: 'number'}, Strata.number(m.best)),
                    Strata.el('td', {class: 'number'}, m.best_step === null ? '-' : m.best_step))));
        const report = run.artifacts.find((a) => a.kind === 'report');
        if (report) { $('report-link').href = fileURL(report.path); $('report-link').textContent = 'Open ' + report.path; }
        $('report-link').hidden = !report;
        const images = run.artifacts.filter((a) => /\.(png|jpe?g|svg)$/i.test(a.path));
        $('images').replaceChildren(...(images.length ? images.map((a) => Strata.el('figure', {},
          Strata.el('img', {src: fileURL(a.path), alt: a.path, loading: 'lazy'}), Strata.el('figcaption', {}, a.path)))
          : [Strata.el('p', {class: 'muted'}, 'no images recorded (a run records its folder\'s files when it ends)')]));
      }

      function draw(series) {
        const entry = charts.get(series.name);
        StrataChart.draw(entry.svg, [{id, label: series.name, color: Strata.color(0), x: series.x, y: series.y,
                                      ymin: series.ymin, ymax: series.ymax, downsampled: series.downsampled}], {xLabel: 'step'});
        entry.mark.hidden = !series.downsampled;
      }

      async function load() {
        try {
          const run = await Strata.api('/api/runs/' + encodeURIComponent(id));
          showRun(run);
          // Metrics with one value (test accuracy, parameters) are in the table; the charts show those with a curve.
          const all = (await Strata.api(`/api/runs/${encodeURIComponent(id)}/metrics`)).series.filter((s) => s.points > 1);
          $('charts').replaceChildren(...all.map((series) => {
            const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
            svg.setAttribute('class', 'chart');
            svg.setAttribute('height', '240');
            const mark = Strata.el('span', {class: 'downsampled-mark', hidden: true}, 'downsampled');
            charts.set(series.name, {svg, mark, series});
            return Strata.el('figure', {'data-metric': series.name}, Strata.el('figcaption', {}, series.name, ' ', mark), svg);
          }));
          if (!all.length) $('charts').replaceChildren(Strata.el('p', {class: 'muted'}, 'no curves recorded yet'));
          for (const series of all) draw(series);
          if (run.status === 'running') setTimeout(poll, 2000);
        } catch (error) {
          Strata.showError(error.message);
        }
      }

      /** Appends each metric's new steps while the run is running. */
      async function poll() {
        try {
          for (const entry of charts.values()) {
            const s = entry.series, params = Strata.query({name: s.name, max_points: 0, after: s.last_step});
            const fresh = (await Strata.api(`/api/runs/${encodeURIComponent(id)}/metrics?` + params)).series[0];
            if (!fresh.x.length) continue;
            s.x = s.x.concat(fresh.x);
            s.y = s.y.concat(fresh.y);
            if (s.ymin) { s.ymin = s.ymin.concat(fresh.y); s.ymax = s.ymax.concat(fresh.y); }
            s.last_step = fresh.last_step;
            draw(s);
          }
          const run = await Strata.api('/api/runs/' + encodeURIComponent(id));
          if (Object.entries(run.metrics).some(([name, m]) => m.count > 1 && !charts.has(name))) { charts.clear(); return load(); }
          showRun(run);
          if (run.status === 'running') setTimeout(poll, 2000);
        } catch (error) {
          Strata.showError(error.message);
        }
      }

      load();
    })();
    """#
}
