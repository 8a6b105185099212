/* Adjutant: keyboard shortcuts on the task list and drag and drop on the
   matrix. Every action here also has a plain form on the page, so the pages
   work without this file. Loaded once in the page head; the listeners sit on
   the document, so they keep working when htmx swaps the page body. */
(function () {
  'use strict';

  var SELECTED = 'adjutant.selectedTask';
  var QUADRANTS = { '1': 'do_now', '2': 'schedule', '3': 'delegate', '4': 'drop' };
  var LABELS = { do_now: 'Do now', schedule: 'Schedule', delegate: 'Delegate', drop: 'Drop' };

  function remember(id) {
    try { if (id) { sessionStorage.setItem(SELECTED, id); } else { sessionStorage.removeItem(SELECTED); } } catch (e) { /* storage off: selection is not kept */ }
  }

  function remembered() {
    try { return sessionStorage.getItem(SELECTED); } catch (e) { return null; }
  }

  function say(text) {
    var live = document.getElementById('task-live') || document.getElementById('matrix-live');
    if (live) { live.textContent = text; }
  }

  /* Moves a task to a quadrant through the same form target the page's
     "Move to" forms use; resolves to the answer, or null when refused.
     `keep` names the list's filters, so the answer is the same list. */
  function move(id, quadrant, back, keep) {
    var body = new URLSearchParams();
    body.set('quadrant', quadrant);
    body.set('back', back);
    Object.keys(keep).forEach(function (k) { body.set(k, keep[k] || ''); });
    return fetch('/tasks/' + encodeURIComponent(id) + '/move', {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
    }).then(function (r) { return r.ok ? r : null; }, function () { return null; });
  }

  // ---- the task list ----

  function taskList() { return document.querySelector('[data-task-list]'); }

  function rows() {
    var list = taskList();
    return list ? Array.prototype.slice.call(list.querySelectorAll('tr[data-task]')) : [];
  }

  function selectedRow() { return document.querySelector('tr[data-task].selected'); }

  function select(row, focus) {
    rows().forEach(function (r) { r.classList.remove('selected'); r.removeAttribute('aria-current'); });
    if (!row) { return; }
    row.classList.add('selected');
    row.setAttribute('aria-current', 'true');
    remember(row.getAttribute('data-task'));
    if (focus) {
      var link = row.querySelector('a.task-link');
      if (link) { link.focus(); }
    }
  }

  function restore() {
    var id = remembered();
    if (!id || !taskList()) { return; }
    var found = rows().filter(function (r) { return r.getAttribute('data-task') === id; })[0];
    if (found) { select(found, false); }
  }

  function step(by) {
    var all = rows();
    if (!all.length) { return; }
    var i = all.indexOf(selectedRow());
    var next = i < 0 ? all[by > 0 ? 0 : all.length - 1] : all[Math.max(0, Math.min(all.length - 1, i + by))];
    select(next, true);
  }

  function typing(el) {
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
  }

  document.addEventListener('keydown', function (e) {
    var list = taskList();
    if (!list || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    var key = e.key;
    if (key === 'n') {
      var quick = document.getElementById('quick-add');
      if (quick) { e.preventDefault(); quick.focus(); }
      return;
    }
    if (key === 'j' || key === 'k') { e.preventDefault(); step(key === 'j' ? 1 : -1); return; }
    if (key === '?') {
      var help = document.getElementById('shortcut-help');
      if (help) {
        e.preventDefault();
        help.open = !help.open;
        if (help.open) { help.querySelector('summary').focus(); }
      }
      return;
    }
    var row = selectedRow();
    if (!row) { return; }
    if (key === 'o' || key === 'Enter') {
      // Enter on a link or a button keeps its own meaning.
      if (key === 'Enter' && e.target.closest && e.target.closest('a, button, summary')) { return; }
      var link = row.querySelector('a.task-link');
      if (link) { e.preventDefault(); link.click(); }
      return;
    }
    if (key === 'x') {
      e.preventDefault();
      var form = row.querySelector('form.done-form');
      if (!form) { say('This task cannot be marked done here.'); return; }
      // The done task leaves the list: keep the selection on its neighbour.
      var all = rows();
      var i = all.indexOf(row);
      var neighbour = all[i + 1] || all[i - 1];
      remember(neighbour ? neighbour.getAttribute('data-task') : null);
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    if (QUADRANTS[key]) {
      e.preventDefault();
      if (!row.hasAttribute('data-editable')) { say('You may not move this task.'); return; }
      var quadrant = QUADRANTS[key];
      say('Moving to ' + LABELS[quadrant] + '…');
      var keep = {};
      ['person', 'status', 'tag', 'goal'].forEach(function (k) { keep[k] = list.getAttribute('data-' + k); });
      move(row.getAttribute('data-task'), quadrant, 'tasks', keep).then(function (r) {
        if (r) { window.location.assign(r.url); } else { say('The task could not be moved.'); }
      });
    }
  });

  // Clicking a row (not its controls) selects it, so the keys act on it.
  document.addEventListener('click', function (e) {
    var row = e.target.closest && e.target.closest('tr[data-task]');
    if (row && taskList() && !e.target.closest('a, button, input, select, form')) { select(row, false); }
  });

  document.addEventListener('DOMContentLoaded', restore);
  document.addEventListener('htmx:afterSettle', restore);

  // ---- the matrix: drag and drop between quadrants ----

  var dragged = null;

  function clearTargets() {
    Array.prototype.forEach.call(document.querySelectorAll('.drop-target'), function (q) { q.classList.remove('drop-target'); });
  }

  function recount() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-quadrant]'), function (q) {
      var count = q.querySelector('.count');
      if (count) { count.textContent = '(' + q.querySelectorAll('.qcard').length + ')'; }
    });
  }

  function quadrantOf(target) { return target && target.closest ? target.closest('[data-quadrant]') : null; }

  document.addEventListener('dragstart', function (e) {
    var card = e.target.closest && e.target.closest('.qcard[draggable="true"]');
    if (!card) { return; }
    dragged = card;
    card.classList.add('dragging');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', card.getAttribute('data-task'));
  });

  document.addEventListener('dragend', function () {
    if (dragged) { dragged.classList.remove('dragging'); }
    dragged = null;
    clearTargets();
  });

  document.addEventListener('dragover', function (e) {
    var q = quadrantOf(e.target);
    if (!dragged || !q) { return; }
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    if (!q.classList.contains('drop-target')) { clearTargets(); q.classList.add('drop-target'); }
  });

  document.addEventListener('drop', function (e) {
    var q = quadrantOf(e.target);
    if (!dragged || !q) { return; }
    e.preventDefault();
    clearTargets();
    var card = dragged;
    var fromList = card.parentNode;
    var to = q.getAttribute('data-quadrant');
    if (quadrantOf(card) === q) { return; }
    var list = q.querySelector('ul.cards');
    var empty = list.querySelector('li.empty');
    if (empty) { empty.remove(); }
    // Shown at once; put back if the server refuses.
    list.insertBefore(card, list.firstChild);
    recount();
    var matrix = document.getElementById('matrix');
    move(card.getAttribute('data-task'), to, 'matrix', { person: matrix ? matrix.getAttribute('data-person') : '' }).then(function (r) {
      if (r) {
        var choice = card.querySelector('select[name="quadrant"]');
        if (choice) { choice.value = to; }
        say('Moved to ' + LABELS[to] + '.');
      } else {
        fromList.appendChild(card);
        recount();
        say('The task could not be moved.');
      }
    });
  });
}());
