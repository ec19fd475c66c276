import {api, currentProject} from '../api.js';
import {emptyState, h, link} from '../dom.js';
import {setupPanels} from './projects.js';

export async function render(main, ctx) {
  const project = currentProject();
  if (!project) {
    main.appendChild(emptyState('Welcome to Roster',
      h('p', {}, 'Create your first project to get a write key and a tracking snippet.'),
      link('/projects', 'Create a project')));
    return;
  }
  const page = await api('/api/people', {query: {limit: 1}});
  if (page.people.length) {
    ctx.navigate('/people', true);
    return;
  }
  main.appendChild(emptyState('No events yet — paste this snippet',
    h('p', {}, `Project “${project.name}” has not received anything. Install the tracker or point an SDK at this server; people appear here within seconds.`)));
  setupPanels(project).forEach((p) => main.appendChild(p));
}
