/// The compare page: the chosen runs' curves of one metric overlaid (`#chart .curve`, one per run), smoothing,
/// log scale, x by step, epoch or wall time, a legend, downsampled series marked with a button for the raw
/// ones, and running runs' curves growing as new steps arrive.
enum CompareScript {
    /// The JavaScript.
    static let text = #"""
    (() => {
      const query = new URLSearchParams(location.search);
      const ids = (query.get('ids') || '').split(',').filter(Boolean);
      const state = {metric: query.get('metric') || '', raw: query.get('raw') === '1', series: [], runs: [],
                     maxPoints: Number(query.get('max_points')) || 2000};
      const $ = (id) => document.getElementById(id);
      const labels = {step: 'step', epoch: 'epoch', wall: 'seconds since start'};

      function redraw() {
        const smoothing = Number($('smoothing').value);
        $('smoothing-value').textContent = smoothing.toFixed(2);
        StrataChart.draw($('chart'), state.series.map((s, i) => ({
          id: s.run_id, label: s.run_name, color: Strata.color(i), x: s.x, y: s.y, ymin: s.ymin, ymax: s.ymax, downsampled: s.downsampled,
        })), {smoothing, log: $('log-scale').checked, xLabel: labels[$('x-axis').value]});
        $('legend').replaceChildren(...state.series.map((s, i) => Strata.el('li', {'data-run-id': s.run_id},
          Strata.el('span', {class: 'swatch', style: 'background:' + Strata.color(i)}),
          Strata.el('a', {href: Strata.withToken('/runs/' + s.run_id)}, `${s.run_id} ${s.run_name}`), ' ', Strata.status(s.status), ' ',
          s.downsampled ? Strata.el('span', {class: 'downsampled-mark'}, `downsampled: ${s.points} points in ${s.x.length} buckets`) : null)));
        const downsampled = state.series.filter((s) => s.downsampled);
        $('downsampled-note').hidden = downsampled.length === 0;
        $('downsampled-note').textContent = downsampled.length
          ? `downsampled: ${downsampled.length} of ${state.series.length} series are drawn as min/max bands of their points` : '';
        $('load-raw').hidden = downsampled.length === 0;
      }

      async function load() {
        if (!ids.length) { Strata.showError('no runs chosen: select runs on the runs page, then Compare'); return; }
        try {
          if (!state.runs.length) state.runs = await Promise.all(ids.map((id) => Strata.api('/api/runs/' + encodeURIComponent(id))));
          const metrics = [...new Set(state.runs.flatMap((r) => Object.keys(r.metrics)))].sort();
          if (!state.metric) state.metric = metrics.find((m) => m.startsWith('val_')) || metrics[0] || '';
          $('metric').replaceChildren(...metrics.map((m) => Strata.el('option', {value: m, selected: m === state.metric}, m)));
          if (!state.metric) { Strata.showError('the chosen runs have no metrics yet'); return; }
          const params = Strata.query({ids: ids.join(','), metric: state.metric, x: $('x-axis').value, max_points: state.raw ? 0 : state.maxPoints});
          state.series = (await Strata.api('/api/compare?' + params)).series;
          Strata.showError('');
          redraw();
        } catch (error) {
          Strata.showError(error.message);
        }
      }

      /** Appends the new steps of the running runs' series. */
      async function poll() {
        for (const s of state.series.filter((s) => s.status === 'running')) {
          const params = Strata.query({name: state.metric, x: $('x-axis').value, max_points: 0, after: s.last_step});
          try {
            const fresh = (await Strata.api(`/api/runs/${s.run_id}/metrics?` + params)).series[0];
            if (fresh.x.length) {
              s.x = s.x.concat(fresh.x);
              s.y = s.y.concat(fresh.y);
              if (s.ymin) { s.ymin = s.ymin.concat(fresh.y); s.ymax = s.ymax.concat(fresh.y); }
              s.last_step = fresh.last_step;
              s.points += fresh.points;
              redraw();
            }
            const run = await Strata.api('/api/runs/' + s.run_id);
            if (run.status !== s.status) { s.status = run.status; redraw(); }
          } catch (error) {
            Strata.showError(error.message);
          }
        }
      }

      $('metric').addEventListener('change', (event) => { state.metric = event.target.value; load(); });
      $('x-axis').addEventListener('change', load);
      $('smoothing').addEventListener('input', redraw);
      $('log-scale').addEventListener('change', redraw);
      $('load-raw').addEventListener('click', () => { state.raw = true; load(); });
      window.addEventListener('resize', redraw);
      load();
      setInterval(poll, 2000);
    })();
    """#
}
