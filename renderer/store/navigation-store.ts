/**
 * Which section is open. Mirrored in the URL fragment (`#audit`) so a reload
 * keeps the admin's place and the sidebar entries are real links; the query
 * string is left alone because browser mode keeps its session token there.
 */
import { create } from 'zustand';
import { isSectionId, type SectionId } from '../sections';

interface NavigationState {
  section: SectionId;
  /** Bumped on every navigation the admin makes, so the page can take focus. */
  visits: number;
  go(section: SectionId): void;
}

function sectionFromHash(): SectionId {
  const id = window.location.hash.replace(/^#/, '');
  return isSectionId(id) ? id : 'hosts';
}

export const useNavigation = create<NavigationState>()((set) => ({
  section: sectionFromHash(),
  visits: 0,
  go(section) {
    if (window.location.hash !== `#${section}`) window.history.pushState(null, '', `#${section}`);
    set((s) => ({ section, visits: s.visits + 1 }));
  },
}));

window.addEventListener('popstate', () => {
  useNavigation.setState((s) => ({ section: sectionFromHash(), visits: s.visits + 1 }));
});
