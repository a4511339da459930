/**
 * A page's h1 and one-paragraph purpose. When the admin moves to the page
 * from the sidebar, focus lands on the heading so a screen reader announces
 * where they are and Tab continues from the top of the page.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { useNavigation } from '../store/navigation-store';

export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const visits = useNavigation((s) => s.visits);
  useEffect(() => {
    document.title = `${title} · Drydock`;
  }, [title]);
  useEffect(() => {
    if (visits > 0) ref.current?.focus();
  }, [visits]);
  return (
    <header className="page-heading">
      <h1 ref={ref} tabIndex={-1}>
        {title}
      </h1>
      {children && <p className="page-heading__intro">{children}</p>}
    </header>
  );
}
