import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { useWorkspace } from '../workspace/WorkspaceContext';
import { WorkspaceCreateForm } from '../pages/WorkspaceCreateForm';
import { InvitationsBanner } from '../workspace/InvitationsBanner';
import { SignOutButton } from './SignOutButton';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';

const sections = [
  { to: '/app/documents', label: 'Documents' },
  { to: '/app/imports', label: 'Imports' },
  { to: '/app/search', label: 'Search' },
  { to: '/app/entities', label: 'Graph' },
  { to: '/app/domains', label: 'Domains' },
  { to: '/app/workspace', label: 'Workspace' },
  { to: '/app/operators', label: 'Operators' },
];

/** The frame of every signed-in page: top bar with the workspace switcher, navigation, content. */
export function Shell() {
  const workspace = useWorkspace();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);

  // A new page closes the small-screen menu and moves focus to the content for screen readers.
  useEffect(() => {
    setMenuOpen(false);
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  const needsWorkspace =
    workspace.session.kind === 'token' &&
    !workspace.loading &&
    !workspace.error &&
    workspace.workspaces.length === 0 &&
    location.pathname !== '/app/workspaces/new';

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-navigation"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <span className="brand">Cairn</span>
        <WorkspaceSwitcher />
        <span className="topbar-spacer" />
        <span className="who muted small">
          {workspace.session.kind === 'apiKey' ? 'API key' : (workspace.session.email ?? '')}
        </span>
        <SignOutButton />
      </header>
      <nav
        id="main-navigation"
        className={menuOpen ? 'sidebar open' : 'sidebar'}
        aria-label="Sections"
      >
        <ul>
          {sections.map((section) => (
            <li key={section.to}>
              <NavLink to={section.to}>{section.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" ref={main} tabIndex={-1}>
        {workspace.loading ? (
          <Loading label="Loading your workspaces…" />
        ) : workspace.error ? (
          <ErrorNotice error={workspace.error} title="Your workspaces could not be loaded" />
        ) : needsWorkspace ? (
          <section className="page narrow">
            <InvitationsBanner />
            <h1>Create your first workspace</h1>
            <p className="muted">Documents, searches and domains all live in a workspace.</p>
            <WorkspaceCreateForm />
          </section>
        ) : (
          <>
            <InvitationsBanner />
            <Outlet />
          </>
        )}
      </main>
    </div>
  );
}
