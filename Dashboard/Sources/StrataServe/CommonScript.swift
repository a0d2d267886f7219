/// The script every page shares: API calls that carry the page's token, elements, number and date formats.
enum CommonScript {
    /// The JavaScript.
    static let text = #"""
    'use strict';
    const Strata = (() => {
      const token = new URLSearchParams(location.search).get('token');

      /** `url` with the page's token, when it has one. */
      function withToken(url) {
        if (!token) return url;
        return url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
      }

      /** `{a: 1, b: 'x y'}` as `a=1&b=x%20y` (spaces as %20: the server reads '+' as a plus sign). */
      function query(values) {
        return Object.entries(values).filter(([, v]) => v !== null && v !== undefined && v !== '')
          .map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
      }

      /** The JSON of an API call; throws an Error whose message is the API's {"error": ...}. */
      async function api(path, options) {
        const response = await fetch(withToken(path), options);
        let body = null;
        try { body = await response.json(); } catch (e) { body = null; }
        if (!response.ok) throw new Error(body && body.error ? body.error : 'the server answered ' + response.status);
        return body;
      }

      /** A new element with attributes (`class`, `data-*`, properties) and children (nodes or text). */
      function el(tag, attributes, ...children) {
        const node = document.createElement(tag);
        for (const [key, value] of Object.entries(attributes || {})) {
          if (value === undefined || value === null || value === false) continue;
          if (key === 'class') node.className = value;
          else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
          else node.setAttribute(key, value === true ? '' : value);
        }
        for (const child of children) {
          if (child === null || child === undefined) continue;
          node.append(child instanceof Node ? child : String(child));
        }
        return node;
      }

      /** A number in at most 5 significant digits. */
      function number(value) {
        if (value === null || value === undefined) return '-';
        if (typeof value !== 'number') return String(value);
        if (Number.isInteger(value)) return String(value);
        const magnitude = Math.abs(value);
        if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
        return String(Number(value.toPrecision(5)));
      }

      /** A time in seconds since 1970 as `2026-11-30 10:02`. */
      function date(seconds) {
        if (!seconds) return '-';
        const d = new Date(seconds * 1000), pad = (n) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
      }

      /** A duration in seconds as `1h 02m`, `3m 20s` or `12s`. */
      function duration(seconds) {
        if (seconds === null || seconds === undefined || !isFinite(seconds)) return '-';
        const s = Math.max(0, Math.round(seconds));
        if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor(s % 3600 / 60)).padStart(2, '0')}m`;
        if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
        return `${s}s`;
      }

      /** A run's duration: to its end, to now while running, else to its last heartbeat. */
      function runDuration(run) {
        const end = run.ended || (run.status === 'running' ? Date.now() / 1000 : run.heartbeat);
        return duration(end - run.started);
      }

      /** Shows `message` in the page's #error box (hides it when empty). */
      function showError(message) {
        const box = document.getElementById('error');
        box.textContent = message || '';
        box.hidden = !message;
      }

      const palette = ['#2160c4', '#d9480f', '#2b8a3e', '#9c36b5', '#e67700', '#0b7285', '#c2255c', '#5c940d', '#364fc7', '#862e9c'];
      /** The color of the `index`-th curve. */
      function color(index) { return palette[index % palette.length]; }

      /** A status badge. */
      function status(text) { return el('span', {class: 'status status-' + text}, text); }

      return {withToken, query, api, el, number, date, duration, runDuration, showError, color, status, token};
    })();
    """#
}
