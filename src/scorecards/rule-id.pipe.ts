import { Injectable, type PipeTransform } from '@nestjs/common';
import { DomainException } from 'src/common/domain.exception';

/** A rule id in a path: letters, digits, `-`, `_`, `.`; up to 128 characters. */
@Injectable()
export class RuleIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(value))
      throw DomainException.invalid('ruleId: letters, digits, "-", "_" and "." only, at most 128 characters');
    return value;
  }
}
