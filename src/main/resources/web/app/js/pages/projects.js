import {api, currentProject, session, setProject} from '../api.js';
import {refreshSession} from '../main.js';
import {h, panel} from '../dom.js';

export function trackingSnippet(project) {
  const origin = location.origin;
  return `<script async src="${origin}/roster.js" data-write-key="${project.write_key}"></script>\n`
    + '<script>window.roster=window.roster||{q:[]};["track","identify","page","alias","reset","trackClick","trackSubmit"].forEach(function(m){roster[m]=roster[m]||function(){roster.q.push([m].concat([].slice.call(arguments)))}});</script>';
}

export function sdkLines(project) {
  const origin = location.origin;
  const key = project.write_key;
  return [
    ['Segment (analytics-node / any Segment SDK)', `const analytics = new Analytics({ writeKey: '${key}', host: '${origin}' })\n// or plain HTTP:\ncurl -u '${key}:' -H 'Content-Type: application/json' \\\n  -d '{"userId":"ann@example.com","event":"Signed Up"}' ${origin}/v1/track`],
    ['KISSmetrics', `// point the KM tracker or your server-side calls at Roster:\n${origin}/e?_k=${key}&_p=ann%40example.com&_n=Signed+Up\n${origin}/s?_k=${key}&_p=ann%40example.com&plan=pro\n${origin}/a?_k=${key}&_p=anon-123&_n=ann%40example.com`],
    ['PostHog', `posthog.init('${key}', { api_host: '${origin}' })`],
    ['Mixpanel', `mixpanel.init('${key}', { api_host: '${origin}' })`],
  ];
}

export function setupPanels(project) {
  return [
    panel('Install the tracker',
      h('p', {class: 'muted'}, 'Paste this into the <head> of every page. Calls made before the script loads are queued.'),
      h('pre', {id: 'snippet'}, trackingSnippet(project))),
    panel('Or send from an SDK you already use',
      sdkLines(project).map(([name, code]) => [h('h3', {}, name), h('pre', {}, code)])),
  ];
}

export async function render(main) {
  const state = session();
  const current = currentProject();
  // The session lists projects without secrets; /api/projects adds the secret keys for admins.
  const detailed = current ? (await api('/api/projects')).projects : [];
  const project = detailed.find((p) => p.id === state.project) || current;
  main.appendChild(h('div', {class: 'page-head'}, h('div', {}, h('h1', {}, 'Projects & setup'),
    h('p', {class: 'muted'}, 'Each project is an isolated dataset with its own keys.'))));

  const list = panel('Projects',
    state.projects.length
      ? h('div', {class: 'table-wrap'}, h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Id'), h('th', {}, 'Write key'), h('th', {}, ''))),
        h('tbody', {}, state.projects.map((p) => h('tr', {},
          h('td', {}, p.name), h('td', {class: 'mono'}, p.id), h('td', {class: 'mono'}, p.write_key),
          h('td', {}, p.id === state.project ? h('span', {class: 'pill'}, 'current')
            : h('button', {type: 'button', onclick: () => { setProject(p.id); location.reload(); }}, 'Switch')))))))
      : h('p', {class: 'muted'}, 'No project yet. Create the first one below.'));
  main.appendChild(list);

  const name = h('input', {id: 'new-project-name', placeholder: 'Project name, e.g. Marketing site', required: true, style: {flex: '1', maxWidth: '420px'}});
  const message = h('p', {class: 'muted small', role: 'status'});
  const form = h('form', {class: 'form-row', id: 'create-project'}, name, h('button', {type: 'submit', class: 'primary'}, 'Create project'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const created = await api('/api/projects', {method: 'POST', body: {name: name.value}});
      setProject(created.project);
      await refreshSession();
      message.textContent = `Created "${created.name}". Secret key (for the read API; shown here once): ${created.secret_key}`;
      message.className = 'good';
      name.value = '';
    } catch (e) {
      message.textContent = e.message;
      message.className = 'error';
    }
  });
  main.appendChild(panel('Create a project', form, message));

  if (project) {
    main.appendChild(panel(`Keys of ${project.name}`,
      h('dl', {class: 'kv'},
        h('dt', {}, 'Write key (public, ingest only)'), h('dd', {class: 'mono', id: 'write-key'}, project.write_key),
        h('dt', {}, 'Secret keys (read API, keep private)'), h('dd', {class: 'mono'}, (project.secret_keys || []).join(', ') || '–'),
        h('dt', {}, 'Time zone'), h('dd', {}, project.time_zone)),
      h('pre', {}, `curl -H 'Authorization: Bearer ${(project.secret_keys || ['SECRET_KEY'])[0]}' '${location.origin}/api/people?limit=5'`)));
    setupPanels(project).forEach((p) => main.appendChild(p));
  }
}
