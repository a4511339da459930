/** A section that exists in the plan but not yet in the app, saying so plainly. */
import { PageHeading } from '../components/page-heading';
import type { Section } from '../sections';

export function NotBuiltPage({ section }: { section: Section }) {
  return (
    <>
      <PageHeading title={section.title} />
      <div className="message message--info">
        <p>
          <strong>Not built yet: {section.title}.</strong> {section.planned}
        </p>
      </div>
    </>
  );
}
