// The site's only script, loaded from a file so the Content-Security-Policy can forbid inline script.
'use strict';

// Times are stored and sent in UTC; each reader sees them in their own zone.
function localTimes(root) {
    for (const t of root.querySelectorAll('time[datetime]')) {
        const d = new Date(t.getAttribute('datetime'));
        if (!isNaN(d) && !t.dataset.local) {
            // Components, not dateStyle/timeStyle: those refuse timeZoneName beside them.
            t.textContent = d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
            t.title = t.getAttribute('datetime');
            t.dataset.local = '1';
        }
    }
}

// A form with data-confirm asks before it posts ("I'm done" cannot be undone).
document.addEventListener('submit', e => {
    const question = e.target.getAttribute && e.target.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
        e.preventDefault();
    }
});

// A running grading's stages, as the worker reports them (server-sent events). The browser
// reconnects by itself and sends the last id it saw, so no stage is missed; when the grading
// ends the page reloads to show the whole report.
function followProgress(section) {
    const list = section.querySelector('ol.stages');
    const source = new EventSource(section.getAttribute('data-progress-url'));
    const words = { Ok: 'ok', Failed: 'failed', TimedOut: 'timed out', Skipped: 'skipped' };
    source.addEventListener('stage', e => {
        const stage = JSON.parse(e.data);
        let item = [...list.children].find(li => li.dataset.stage === stage.stage && li.dataset.side === stage.side && li.dataset.attempt === String(stage.attempt));
        if (!item) {
            item = document.createElement('li');
            item.dataset.stage = stage.stage;
            item.dataset.side = stage.side;
            item.dataset.attempt = String(stage.attempt);
            const name = document.createElement('span');
            name.className = 'name';
            name.textContent = stage.stage;
            const side = document.createElement('span');
            side.className = 'side';
            side.textContent = stage.side.toLowerCase();
            const state = document.createElement('span');
            state.className = 'state';
            item.append(name, ' ', side, ' ', state);
            list.append(item);
        }
        item.dataset.id = e.lastEventId;
        item.className = stage.status ? stage.status.toLowerCase() : 'running';
        item.querySelector('.state').textContent = stage.status
            ? `${words[stage.status] || stage.status} in ${(stage.durationMs / 1000).toFixed(1)} s`
            : 'running';
    });
    source.addEventListener('finished', () => {
        source.close();
        window.location.reload();
    });
}

// The candidate's time left, counted down each second against their own clock's idea of now.
function countDown(element) {
    const end = new Date(element.getAttribute('data-deadline'));
    const tick = () => {
        const left = Math.floor((end - Date.now()) / 1000);
        if (isNaN(left) || left <= 0) {
            element.textContent = 'Time is up: pushes from now on are not graded.';
            element.classList.add('over');
            return false;
        }
        const h = Math.floor(left / 3600), m = Math.floor(left / 60) % 60, s = left % 60;
        const pad = n => String(n).padStart(2, '0');
        element.textContent = `${h > 0 ? `${h} h ${pad(m)} min` : `${m} min`} ${pad(s)} s left`;
        return true;
    };
    if (tick()) {
        const timer = setInterval(() => { if (!tick()) clearInterval(timer); }, 1000);
    }
}

document.addEventListener('DOMContentLoaded', () => {
    localTimes(document);
    for (const element of document.querySelectorAll('[data-deadline]')) {
        countDown(element);
    }
    for (const section of document.querySelectorAll('[data-progress-url]')) {
        followProgress(section);
    }
});
