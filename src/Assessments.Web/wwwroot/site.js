// The site's only script, loaded from a file so the Content-Security-Policy can forbid inline script.
'use strict';

// Times are stored and sent in UTC; each reader sees them in their own zone.
function localTimes(root) {
    for (const t of root.querySelectorAll('time[datetime]')) {
        const d = new Date(t.getAttribute('datetime'));
        if (!isNaN(d) && !t.dataset.local) {
            t.textContent = d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZoneName: 'short' });
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

document.addEventListener('DOMContentLoaded', () => localTimes(document));
